"""Hand-written building blocks of the demo catalog: the category tree, brands (each with a GS1 company
prefix in China's 690-699 range), suppliers and the shapes of products (packs, flavours). Pure data;
``products.py`` lists the products and ``catalog_gen.py`` multiplies them out deterministically."""

from __future__ import annotations

from dataclasses import dataclass

# fmt: off

# --- category tree: code, parent code, English, Chinese ------------------------------------------
CATEGORIES: tuple[tuple[str, str | None, str, str], ...] = (
    ("GROCERY", None, "Grocery", "食品杂货"),
    ("RICE", "GROCERY", "Rice, Flour & Noodles", "米面粮食"),
    ("OIL", "GROCERY", "Cooking Oil", "食用油"),
    ("SAUCE", "GROCERY", "Sauces & Seasonings", "调味品"),
    ("SNACK", "GROCERY", "Snacks & Confectionery", "休闲零食"),
    ("BEV", "GROCERY", "Beverages", "饮料酒水"),
    ("FRESH", None, "Fresh", "生鲜"),
    ("VEG", "FRESH", "Vegetables", "蔬菜"),
    ("FRUIT", "FRESH", "Fruit", "水果"),
    ("MEAT", "FRESH", "Meat & Poultry", "肉禽"),
    ("SEAFOOD", "FRESH", "Seafood", "水产海鲜"),
    ("DAIRY", "FRESH", "Dairy, Eggs & Tofu", "乳品蛋品豆制品"),
    ("BAKERY", "FRESH", "Bakery", "烘焙面包"),
    ("PREPARED", None, "Prepared Food", "熟食餐食"),
    ("BENTO", "PREPARED", "Bento & Rice Meals", "便当饭食"),
    ("DUMPLING", "PREPARED", "Dumplings & Buns", "饺子包点"),
    ("SALAD", "PREPARED", "Salads, Sandwiches & Onigiri", "沙拉轻食"),
    ("KITCHEN", None, "Kitchen Supplies", "厨房原料"),
    ("INGRED", "KITCHEN", "Foodservice Ingredients", "餐饮食材"),
    ("PACKAGING", "KITCHEN", "Packaging & Disposables", "包装耗材"),
)
DEPARTMENT: dict[str, str] = {code: parent or code for code, parent, _, _ in CATEGORIES}  # category -> top level


@dataclass(frozen=True)
class Brand:
    zh: str
    en: str
    gs1_prefix: str  # 7-digit GS1 company prefix (China: 690-699)


PRIVATE_LABEL = Brand("鲜邻优选", "FreshNest Select", "6975012")
KITCHEN_LABEL = Brand("鲜邻厨房", "FreshNest Kitchen", "6975013")

# brands per category, in the order products take them (a product with brands=2 takes the first two)
BRANDS: dict[str, tuple[Brand, ...]] = {
    "RICE": (Brand("禾丰", "Hefeng", "6921168"), PRIVATE_LABEL, Brand("金穗", "Golden Ear", "6934502")),
    "OIL": (Brand("禾丰", "Hefeng", "6921168"), Brand("福满园", "Fullgarden", "6948801"), PRIVATE_LABEL),
    "SAUCE": (Brand("珠江桥", "Pearl Bridge", "6902538"), Brand("川香坊", "Sichuan House", "6953390"),
              PRIVATE_LABEL),
    "SNACK": (Brand("脆乐", "Crunchy Joy", "6924743"), Brand("好时光", "Good Times", "6911988"), PRIVATE_LABEL),
    "BEV": (Brand("清泉", "Clear Spring", "6921581"), Brand("悦动", "Vivo Move", "6956416"), PRIVATE_LABEL),
    "VEG": (PRIVATE_LABEL,),
    "FRUIT": (PRIVATE_LABEL,),
    "MEAT": (Brand("苏食", "Sufood", "6937962"), PRIVATE_LABEL),
    "SEAFOOD": (Brand("舟山渔港", "Zhoushan Harbour", "6941725"), PRIVATE_LABEL),
    "DAIRY": (Brand("晨光", "Morning Light", "6907992"), PRIVATE_LABEL, Brand("草原牧场", "Grassland Farm", "6923644")),
    "BAKERY": (Brand("麦香", "Wheatfield", "6958503"), PRIVATE_LABEL),
    "BENTO": (KITCHEN_LABEL,),
    "DUMPLING": (KITCHEN_LABEL, Brand("鲁厨", "Luchu", "6939006")),
    "SALAD": (KITCHEN_LABEL,),
    "INGRED": (Brand("鲁厨", "Luchu", "6939006"), Brand("禾丰", "Hefeng", "6921168")),
    "PACKAGING": (Brand("绿源", "Green Source", "6970441"),),
}


@dataclass(frozen=True)
class SupplierSpec:
    code: str
    name: str
    name_zh: str
    city: str
    lead_days: int
    order_days: tuple[str, ...]
    categories: tuple[str, ...]  # primary supplier of these categories
    secondary: tuple[str, ...] = ()  # also offers these categories, dearer and slower


DAILY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SUPPLIERS: tuple[SupplierSpec, ...] = (
    SupplierSpec("SUP01", "Shanghai Hefeng Grain & Oil Co., Ltd.", "上海禾丰粮油有限公司", "上海", 3,
                 ("mon", "thu"), ("RICE", "OIL")),
    SupplierSpec("SUP02", "Guangzhou Pearl Bridge Condiments Co., Ltd.", "广州珠江桥调味食品有限公司", "广州", 5,
                 ("tue",), ("SAUCE",)),
    SupplierSpec("SUP03", "Fujian Good Times Foods Co., Ltd.", "福建好时光食品有限公司", "厦门", 6,
                 ("wed",), ("SNACK",)),
    SupplierSpec("SUP04", "Hangzhou Clear Spring Beverages Co., Ltd.", "杭州清泉饮品有限公司", "杭州", 4,
                 ("mon", "wed", "fri"), ("BEV",)),
    SupplierSpec("SUP05", "Chongming Green Fields Produce Cooperative", "崇明绿田果蔬专业合作社", "上海", 1,
                 DAILY, ("VEG",), ("FRUIT",)),
    SupplierSpec("SUP06", "Hainan Southland Fresh Fruit Co., Ltd.", "海南南国鲜果有限公司", "海口", 2,
                 ("mon", "tue", "wed", "thu", "fri", "sat"), ("FRUIT",)),
    SupplierSpec("SUP07", "Jiangsu Sufood Meat Products Co., Ltd.", "江苏苏食肉品有限公司", "南京", 2,
                 ("mon", "wed", "fri"), ("MEAT",)),
    SupplierSpec("SUP08", "Zhoushan Harbour Aquatic Products Co., Ltd.", "舟山渔港水产有限公司", "舟山", 2,
                 ("tue", "thu", "sat"), ("SEAFOOD",)),
    SupplierSpec("SUP09", "Shanghai Morning Light Dairy Co., Ltd.", "上海晨光乳业有限公司", "上海", 1,
                 DAILY, ("DAIRY",)),
    SupplierSpec("SUP10", "Shanghai Wheatfield Bakery Co., Ltd.", "上海麦香烘焙食品有限公司", "上海", 1,
                 DAILY, ("BAKERY",)),
    SupplierSpec("SUP11", "Shandong Luchu Foodservice Co., Ltd.", "山东鲁厨餐饮食材有限公司", "济南", 7,
                 ("mon",), ("INGRED", "PACKAGING", "DUMPLING"), ("VEG", "MEAT")),
)


@dataclass(frozen=True)
class Pack:
    label: str  # "5kg", "550ml", "" for loose goods sold by weight
    price: str  # retail price in CNY of one base unit (one pack, or one kg for loose goods)
    case: int  # base units in one purchase case (kg for loose goods)
    unit: str = "each"  # base unit: each | kg


@dataclass(frozen=True)
class Product:
    key: str
    zh: str
    en: str
    category: str
    storage: str  # ambient | chilled | frozen
    shelf_life: int  # days
    allergens: tuple[str, ...]
    packs: tuple[Pack, ...]
    flavors: tuple[tuple[str, str], ...] = (("", ""),)
    brands: int = 1
    daily: str = "4"  # units sold a day by a medium store (drives stock levels and later sales history)


def p(label: str, price: str, case: int, unit: str = "each") -> Pack:
    return Pack(label, price, case, unit)


def kg(price: str, case: int = 10) -> Pack:
    """Loose goods sold by weight, bought in boxes of ``case`` kg."""
    return Pack("", price, case, "kg")
# fmt: on
