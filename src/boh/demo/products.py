"""The demo chain's base products. Each is multiplied by its flavours, packs and brands in
``catalog_gen.py``; prices are retail prices in CNY, shelf lives in days, allergens EU codes."""

# ruff: noqa: E501  (hand-written data tables: one row per line reads best)

from __future__ import annotations

from decimal import Decimal

from boh.demo.catalog_data import Product, kg, p

# fmt: off

G, S, M, E, F = "gluten", "soybeans", "milk", "eggs", "fish"
CR, MO, PN, NU, SE = "crustaceans", "molluscs", "peanuts", "nuts", "sesame"

GROCERY: tuple[Product, ...] = (
    Product("rice-ne", "东北大米", "Northeast Rice", "RICE", "ambient", 365, (),
            (p("2.5kg", "24.90", 8), p("5kg", "45.90", 4), p("10kg", "86.00", 2)), brands=3, daily="3"),
    Product("rice-thai", "泰国香米", "Thai Jasmine Rice", "RICE", "ambient", 365, (), (p("5kg", "69.90", 4),), brands=2),
    Product("rice-wc", "五常稻花香大米", "Wuchang Fragrant Rice", "RICE", "ambient", 365, (),
            (p("5kg", "99.00", 4),), daily="1"),
    Product("rice-glut", "糯米", "Glutinous Rice", "RICE", "ambient", 365, (), (p("1kg", "12.90", 10),), daily="1"),
    Product("flour", "高筋面粉", "Bread Flour", "RICE", "ambient", 270, (G,), (p("1kg", "9.90", 10), p("5kg", "42.00", 4)),
            brands=2, daily="2"),
    Product("noodle-dry", "鸡蛋挂面", "Egg Noodles", "RICE", "ambient", 540, (G, E), (p("500g", "6.50", 20),), brands=2),
    Product("noodle-inst", "方便面五连包", "Instant Noodles 5-Pack", "RICE", "ambient", 180, (G, S),
            (p("5x105g", "14.50", 6),), flavors=(("红烧牛肉", "Braised Beef"), ("香辣", "Spicy"),
                                               ("老坛酸菜", "Pickled Cabbage"), ("鲜虾", "Shrimp")), brands=2, daily="6"),
    Product("rice-noodle", "桂林米粉", "Guilin Rice Noodles", "RICE", "ambient", 365, (), (p("400g", "8.90", 20),)),
    Product("spaghetti", "意大利面", "Spaghetti", "RICE", "ambient", 720, (G,), (p("500g", "12.90", 20),)),
    Product("oil-peanut", "压榨花生油", "Pressed Peanut Oil", "OIL", "ambient", 540, (PN,),
            (p("1.8L", "39.90", 6), p("5L", "99.90", 4)), brands=2, daily="2"),
    Product("oil-rape", "菜籽油", "Rapeseed Oil", "OIL", "ambient", 540, (), (p("5L", "69.90", 4),), brands=2),
    Product("oil-corn", "玉米油", "Corn Oil", "OIL", "ambient", 540, (), (p("1.8L", "29.90", 6), p("5L", "72.90", 4)),
            brands=2),
    Product("oil-sesame", "小磨香油", "Sesame Oil", "OIL", "ambient", 540, (SE,), (p("220ml", "18.90", 24),), brands=2),
    Product("oil-olive", "特级初榨橄榄油", "Extra Virgin Olive Oil", "OIL", "ambient", 720, (),
            (p("500ml", "59.00", 12),), daily="1"),
    Product("soy-light", "生抽", "Light Soy Sauce", "SAUCE", "ambient", 720, (S, G),
            (p("500ml", "9.90", 24), p("1.9L", "29.90", 6)), brands=3, daily="5"),
    Product("soy-dark", "老抽", "Dark Soy Sauce", "SAUCE", "ambient", 720, (S, G), (p("500ml", "10.50", 24),), brands=2),
    Product("oyster", "蚝油", "Oyster Sauce", "SAUCE", "ambient", 540, (MO,), (p("510g", "12.90", 24),), brands=2),
    Product("vinegar", "镇江香醋", "Zhenjiang Black Vinegar", "SAUCE", "ambient", 720, (G,), (p("500ml", "8.50", 24),),
            brands=2),
    Product("wine", "料酒", "Shaoxing Cooking Wine", "SAUCE", "ambient", 720, (G,), (p("500ml", "7.90", 24),)),
    Product("doubanjiang", "郫县豆瓣酱", "Pixian Broad Bean Paste", "SAUCE", "ambient", 540, (S, G),
            (p("500g", "13.90", 20),)),
    Product("chili-oil", "香辣脆油辣椒", "Crispy Chili Oil", "SAUCE", "ambient", 540, (S, PN),
            (p("210g", "11.90", 24),), brands=2, daily="3"),
    Product("salt", "精制食盐", "Iodised Table Salt", "SAUCE", "ambient", 1080, (), (p("400g", "3.00", 40),)),
    Product("sugar", "白砂糖", "White Sugar", "SAUCE", "ambient", 720, (), (p("500g", "6.90", 20),)),
    Product("bouillon", "鸡精", "Chicken Bouillon Granules", "SAUCE", "ambient", 540, (G, E), (p("200g", "9.90", 24),)),
    Product("hotpot", "火锅底料", "Hotpot Soup Base", "SAUCE", "ambient", 365, (S, G),
            (p("200g", "15.90", 30),), flavors=(("麻辣", "Mala"), ("番茄", "Tomato"), ("菌汤", "Mushroom")), brands=2),
    Product("chips", "薯片", "Potato Chips", "SNACK", "ambient", 270, (),
            (p("70g", "7.50", 24), p("135g", "12.90", 12)),
            flavors=(("原味", "Original"), ("黄瓜味", "Cucumber"), ("番茄味", "Tomato"), ("烧烤味", "BBQ")),
            brands=2, daily="6"),
    Product("cracker", "苏打饼干", "Soda Crackers", "SNACK", "ambient", 365, (G,), (p("400g", "11.50", 12),), brands=2),
    Product("cookie", "夹心饼干", "Sandwich Cookies", "SNACK", "ambient", 365, (G, M, S), (p("390g", "13.90", 12),),
            flavors=(("巧克力", "Chocolate"), ("香草", "Vanilla"), ("草莓", "Strawberry")), brands=2),
    Product("nuts", "每日坚果", "Daily Mixed Nuts", "SNACK", "ambient", 240, (NU, PN), (p("25gx7", "39.90", 12),), brands=2),
    Product("seeds", "五香瓜子", "Spiced Sunflower Seeds", "SNACK", "ambient", 240, (), (p("250g", "9.90", 20),)),
    Product("jerky", "牛肉干", "Beef Jerky", "SNACK", "ambient", 270, (S,), (p("100g", "29.90", 20),),
            flavors=(("五香", "Five-Spice"), ("麻辣", "Mala"))),
    Product("choc", "牛奶巧克力", "Milk Chocolate", "SNACK", "ambient", 365, (M, S), (p("80g", "12.50", 24),), brands=2),
    Product("latiao", "辣条", "Spicy Gluten Strips", "SNACK", "ambient", 180, (G, S), (p("106g", "4.50", 40),), daily="5"),
    Product("seaweed", "海苔脆片", "Roasted Seaweed Snack", "SNACK", "ambient", 365, (), (p("30g", "9.90", 30),)),
    Product("jelly", "什锦果冻", "Fruit Jelly Cups", "SNACK", "ambient", 365, (), (p("600g", "14.90", 12),)),
    Product("water", "天然矿泉水", "Natural Mineral Water", "BEV", "ambient", 540, (),
            (p("550ml", "2.00", 24), p("1.5L", "4.50", 12), p("4L", "9.90", 6)), brands=2, daily="24"),
    Product("cola", "可乐", "Cola", "BEV", "ambient", 365, (), (p("330ml", "3.00", 24), p("2L", "8.50", 6)),
            flavors=(("经典", "Classic"), ("无糖", "Zero Sugar")), daily="10"),
    Product("tea", "冰红茶", "Iced Tea", "BEV", "ambient", 270, (), (p("500ml", "3.50", 15),),
            flavors=(("柠檬", "Lemon"), ("绿茶", "Green"), ("乌龙", "Oolong")), brands=2, daily="8"),
    Product("oj", "100%橙汁", "100% Orange Juice", "BEV", "ambient", 270, (), (p("1L", "15.90", 12),)),
    Product("soda", "苏打气泡水", "Sparkling Water", "BEV", "ambient", 365, (), (p("330ml", "5.00", 24),),
            flavors=(("白桃", "White Peach"), ("青柠", "Lime"), ("原味", "Plain")), brands=2, daily="6"),
    Product("beer", "拉格啤酒", "Lager Beer", "BEV", "ambient", 365, (G,), (p("330ml", "4.50", 24), p("500ml", "6.50", 12)),
            brands=2, daily="8"),
    Product("energy", "功能饮料", "Energy Drink", "BEV", "ambient", 540, (), (p("250ml", "6.00", 24),), daily="5"),
    Product("coconut", "生榨椰汁", "Coconut Milk Drink", "BEV", "ambient", 365, (), (p("245ml", "4.50", 24),)),
    Product("soymilk-uht", "原味豆奶", "Soy Milk Drink", "BEV", "ambient", 270, (S,), (p("250ml", "3.50", 24),)),
    Product("coffee", "拿铁咖啡", "Canned Latte", "BEV", "ambient", 365, (M,), (p("180ml", "6.50", 24),), daily="4"),
)

_VEG = (
    ("napa", "大白菜", "Napa Cabbage", 10, "3.98", ()),
    ("bokchoy", "上海青", "Shanghai Bok Choy", 3, "6.98", ()),
    ("spinach", "菠菜", "Spinach", 3, "9.80", ()),
    ("broccoli", "西兰花", "Broccoli", 5, "11.80", ()),
    ("tomato", "番茄", "Tomato", 7, "7.98", ()),
    ("cucumber", "黄瓜", "Cucumber", 5, "5.98", ()),
    ("potato", "土豆", "Potato", 30, "3.98", ()),
    ("carrot", "胡萝卜", "Carrot", 21, "3.98", ()),
    ("onion", "洋葱", "Onion", 30, "3.58", ()),
    ("scallion", "小葱", "Spring Onion", 5, "12.80", ()),
    ("ginger", "生姜", "Ginger", 30, "15.80", ()),
    ("garlic", "大蒜", "Garlic", 60, "11.80", ()),
    ("pepper", "青椒", "Green Pepper", 7, "7.98", ()),
    ("eggplant", "长茄子", "Chinese Eggplant", 5, "6.98", ()),
    ("shiitake", "香菇", "Shiitake Mushroom", 5, "19.80", ()),
    ("lettuce", "生菜", "Lettuce", 4, "7.98", ()),
    ("celery", "西芹", "Celery", 7, "6.98", ("celery",)),
    ("wintermelon", "冬瓜", "Winter Melon", 14, "2.98", ()),
    ("pumpkin", "贝贝南瓜", "Baby Pumpkin", 30, "9.80", ()),
    ("lotus", "莲藕", "Lotus Root", 7, "9.98", ()),
)
_FRUIT = (
    ("apple", "红富士苹果", "Fuji Apple", 30, "12.80"),
    ("banana", "香蕉", "Banana", 5, "6.98"),
    ("orange", "赣南脐橙", "Gannan Navel Orange", 21, "9.98"),
    ("grape", "巨峰葡萄", "Kyoho Grapes", 7, "15.80"),
    ("watermelon", "麒麟西瓜", "Kirin Watermelon", 10, "3.98"),
    ("strawberry", "丹东草莓", "Dandong Strawberry", 3, "39.80"),
    ("kiwi", "猕猴桃", "Kiwi Fruit", 14, "16.80"),
    ("mango", "台农芒果", "Tainong Mango", 7, "13.80"),
    ("dragon", "红心火龙果", "Red Dragon Fruit", 10, "14.80"),
    ("pear", "库尔勒香梨", "Korla Fragrant Pear", 30, "12.80"),
    ("pomelo", "琯溪蜜柚", "Guanxi Honey Pomelo", 30, "6.98"),
    ("lemon", "安岳柠檬", "Anyue Lemon", 30, "11.80"),
    ("lychee", "妃子笑荔枝", "Feizixiao Lychee", 3, "29.80"),
    ("hami", "哈密瓜", "Hami Melon", 10, "7.98"),
)


def _money(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


def _veg() -> tuple[Product, ...]:
    out = []
    for key, zh, en, life, price, allergens in _VEG:
        packed = str(_money(Decimal(price) * Decimal("0.55") + Decimal("0.5")))  # a 500 g tray: dearer per kg
        out.append(Product(f"veg-{key}", zh, en, "VEG", "ambient" if life >= 30 else "chilled", life, allergens,
                           (kg(price), p("500g", packed, 12)), daily="6"))
    return tuple(out)


def _fruit() -> tuple[Product, ...]:
    return tuple(
        Product(f"fruit-{key}", zh, en, "FRUIT", "ambient" if life >= 14 else "chilled", life, (),
                (kg(price), p("精品盒装", str(_money(Decimal(price) * Decimal("1.2"))), 8)), daily="6")
        for key, zh, en, life, price in _FRUIT
    )


FRESH_OTHER: tuple[Product, ...] = (
    Product("tofu", "嫩豆腐", "Silken Tofu", "DAIRY", "chilled", 5, (S,), (p("400g", "4.50", 20),), daily="6"),
    Product("enoki", "金针菇", "Enoki Mushroom", "VEG", "chilled", 7, (), (p("200g", "3.50", 30),), daily="6"),
    Product("sprout", "绿豆芽", "Mung Bean Sprouts", "VEG", "chilled", 2, (), (p("300g", "2.50", 20),), daily="5"),
    Product("pork-belly", "猪五花肉", "Pork Belly", "MEAT", "chilled", 3, (), (kg("36.80"), p("500g", "19.90", 10)),
            brands=2, daily="5"),
    Product("pork-loin", "猪里脊", "Pork Tenderloin", "MEAT", "chilled", 3, (), (kg("39.80"), p("400g", "17.90", 10))),
    Product("pork-rib", "猪肋排", "Pork Spare Ribs", "MEAT", "chilled", 3, (), (kg("49.80"),), daily="3"),
    Product("pork-mince", "猪肉糜", "Minced Pork", "MEAT", "chilled", 2, (), (p("400g", "15.90", 10),), daily="5"),
    Product("beef-brisket", "牛腩", "Beef Brisket", "MEAT", "chilled", 4, (), (kg("79.80"),), daily="2"),
    Product("beef-tender", "牛里脊", "Beef Tenderloin", "MEAT", "chilled", 4, (), (p("300g", "45.90", 10),), daily="2"),
    Product("beef-roll", "肥牛卷", "Sliced Beef Rolls", "MEAT", "frozen", 270, (), (p("250g", "29.90", 20),), brands=2),
    Product("lamb-roll", "羔羊肉卷", "Sliced Lamb Rolls", "MEAT", "frozen", 270, (), (p("250g", "32.90", 20),)),
    Product("chk-breast", "鸡胸肉", "Chicken Breast", "MEAT", "chilled", 4, (), (p("500g", "13.90", 10),), brands=2,
            daily="6"),
    Product("chk-leg", "琵琶腿", "Chicken Drumsticks", "MEAT", "chilled", 4, (), (kg("23.80"), p("1kg", "25.90", 8))),
    Product("chk-wing", "鸡翅中", "Chicken Mid-Wings", "MEAT", "chilled", 4, (), (p("500g", "29.90", 10),), daily="4"),
    Product("chk-whole", "三黄鸡", "Sanhuang Whole Chicken", "MEAT", "chilled", 3, (), (p("1.2kg", "49.90", 6),),
            daily="2"),
    Product("bass", "鲈鱼", "Sea Bass", "SEAFOOD", "chilled", 2, (F,), (kg("59.80"),), daily="2"),
    Product("salmon", "三文鱼块", "Salmon Fillet", "SEAFOOD", "chilled", 4, (F,), (p("200g", "39.90", 12),), daily="2"),
    Product("hairtail", "舟山带鱼段", "Zhoushan Hairtail Steaks", "SEAFOOD", "frozen", 365, (F,),
            (p("500g", "35.90", 20),), brands=2),
    Product("prawn", "基围虾", "Greasyback Prawns", "SEAFOOD", "chilled", 2, (CR,), (kg("89.80", 5),), daily="2"),
    Product("shrimp-meat", "冻虾仁", "Frozen Peeled Shrimp", "SEAFOOD", "frozen", 365, (CR,), (p("300g", "39.90", 20),),
            brands=2),
    Product("clam", "花蛤", "Manila Clams", "SEAFOOD", "chilled", 2, (MO,), (kg("19.80", 5),), daily="2"),
    Product("squid", "鱿鱼须", "Squid Tentacles", "SEAFOOD", "frozen", 365, (MO,), (p("400g", "29.90", 20),)),
    Product("scallop", "扇贝肉", "Scallop Meat", "SEAFOOD", "frozen", 365, (MO,), (p("250g", "45.90", 20),), daily="1"),
    Product("milk", "鲜牛奶", "Fresh Milk", "DAIRY", "chilled", 7, (M,), (p("250ml", "4.50", 24), p("950ml", "15.90", 12)),
            brands=3, daily="10"),
    Product("yogurt", "风味酸奶", "Yogurt", "DAIRY", "chilled", 21, (M,), (p("100gx8", "19.90", 6), p("1kg", "19.50", 6)),
            flavors=(("原味", "Plain"), ("草莓", "Strawberry"), ("蓝莓", "Blueberry")), brands=2, daily="5"),
    Product("cheese", "奶酪片", "Cheese Slices", "DAIRY", "chilled", 180, (M,), (p("166g", "24.90", 12),)),
    Product("butter", "淡味黄油", "Unsalted Butter", "DAIRY", "chilled", 365, (M,), (p("227g", "32.90", 12),), daily="1"),
    Product("eggs", "鲜鸡蛋", "Fresh Eggs", "DAIRY", "chilled", 30, (E,), (p("10枚", "15.90", 12), p("30枚", "39.90", 6)),
            brands=2, daily="8"),
    Product("soymilk", "鲜豆浆", "Fresh Soy Milk", "DAIRY", "chilled", 5, (S,), (p("1L", "7.90", 12),)),
    Product("toast", "牛奶吐司", "Milk Toast Loaf", "BAKERY", "ambient", 5, (G, M, E), (p("400g", "12.90", 12),),
            brands=2, daily="6"),
    Product("toast-ww", "全麦吐司", "Wholewheat Toast Loaf", "BAKERY", "ambient", 5, (G,), (p("400g", "14.90", 12),)),
    Product("croissant", "黄油牛角包", "Butter Croissant", "BAKERY", "ambient", 3, (G, M, E), (p("4个", "16.80", 10),)),
    Product("bolo", "菠萝包", "Pineapple Bun", "BAKERY", "ambient", 3, (G, M, E), (p("2个", "8.90", 12),)),
    Product("eggtart", "葡式蛋挞", "Portuguese Egg Tarts", "BAKERY", "chilled", 2, (G, M, E), (p("4个", "19.90", 8),)),
    Product("floss", "肉松面包", "Pork Floss Bun", "BAKERY", "ambient", 3, (G, E, S), (p("1个", "6.50", 20),), daily="6"),
    Product("swissroll", "瑞士卷", "Swiss Roll", "BAKERY", "chilled", 5, (G, M, E), (p("6个", "15.90", 10),),
            flavors=(("原味", "Original"), ("抹茶", "Matcha"))),
)

FRESH: tuple[Product, ...] = _veg() + _fruit() + FRESH_OTHER

PREPARED: tuple[Product, ...] = (
    Product("bento", "便当", "Bento", "BENTO", "chilled", 1, (S, G), (p("450g", "25.90", 12),),
            flavors=(("红烧肉", "Braised Pork Belly"), ("宫保鸡丁", "Kung Pao Chicken"), ("番茄炒蛋", "Tomato & Egg"),
                     ("黑椒牛柳", "Black Pepper Beef"), ("咖喱鸡", "Chicken Curry"), ("照烧鸡腿", "Teriyaki Chicken")),
            daily="8"),
    Product("dumpling", "手工水饺", "Handmade Dumplings", "DUMPLING", "chilled", 2, (G,), (p("500g", "22.90", 10),),
            flavors=(("猪肉白菜", "Pork & Cabbage"), ("韭菜鸡蛋", "Chive & Egg"), ("鲜虾", "Shrimp")), daily="4"),
    Product("dumpling-frz", "速冻水饺", "Frozen Dumplings", "DUMPLING", "frozen", 365, (G,), (p("1kg", "32.90", 10),),
            flavors=(("猪肉白菜", "Pork & Cabbage"), ("三鲜", "Three Delicacies"), ("牛肉", "Beef")), brands=2),
    Product("bao", "鲜肉包", "Steamed Pork Buns", "DUMPLING", "chilled", 2, (G, S), (p("4个", "12.90", 12),), daily="6"),
    Product("salad", "轻食沙拉", "Salad Bowl", "SALAD", "chilled", 1, (E, M), (p("320g", "29.90", 12),),
            flavors=(("鸡胸肉凯撒", "Chicken Caesar"), ("藜麦牛油果", "Quinoa Avocado"), ("金枪鱼", "Tuna")), daily="4"),
    Product("onigiri", "饭团", "Onigiri", "SALAD", "chilled", 1, (S,), (p("110g", "7.50", 20),),
            flavors=(("金枪鱼蛋黄酱", "Tuna Mayo"), ("梅子", "Umeboshi"), ("照烧鸡", "Teriyaki Chicken")), daily="10"),
    Product("sandwich", "三明治", "Sandwich", "SALAD", "chilled", 2, (G, E, M), (p("180g", "13.90", 12),),
            flavors=(("火腿鸡蛋", "Ham & Egg"), ("金枪鱼", "Tuna")), daily="6"),
    Product("cold-noodle", "四川凉面", "Sichuan Cold Noodles", "SALAD", "chilled", 1, (G, S, PN, SE),
            (p("300g", "16.90", 12),), daily="4"),
    Product("duck-neck", "卤鸭脖", "Braised Duck Neck", "BENTO", "chilled", 3, (S,), (p("250g", "26.90", 12),), daily="3"),
)

KITCHEN: tuple[Product, ...] = (
    Product("k-rice", "餐饮大米", "Foodservice Rice", "INGRED", "ambient", 365, (), (p("25kg", "155.00", 1),)),
    Product("k-flour", "饺子专用粉", "Dumpling Flour", "INGRED", "ambient", 270, (G,), (p("25kg", "125.00", 1),)),
    Product("k-oil", "大豆油", "Soybean Oil", "INGRED", "ambient", 540, (S,), (p("20L", "265.00", 1),)),
    Product("k-soy", "餐饮生抽", "Foodservice Soy Sauce", "INGRED", "ambient", 720, (S, G), (p("20L", "118.00", 1),)),
    Product("k-eggs", "餐饮鸡蛋", "Catering Eggs", "INGRED", "chilled", 30, (E,), (p("360枚", "380.00", 1),)),
    Product("k-chk-leg", "冻鸡腿肉", "Frozen Boneless Chicken Leg", "INGRED", "frozen", 365, (),
            (p("10kg", "238.00", 1),)),
    Product("k-pork", "冻猪肉馅", "Frozen Pork Mince", "INGRED", "frozen", 270, (), (p("5kg", "135.00", 2),)),
    Product("k-wrap", "饺子皮", "Dumpling Wrappers", "INGRED", "chilled", 5, (G,), (p("1kg", "12.00", 10),), daily="6"),
    Product("k-mayo", "沙拉酱", "Mayonnaise", "INGRED", "chilled", 180, (E, M), (p("1kg", "28.00", 12),)),
    Product("k-pepper", "黑胡椒汁", "Black Pepper Sauce", "INGRED", "ambient", 365, (S, G), (p("1kg", "32.00", 12),)),
    Product("k-curry", "咖喱块", "Curry Roux", "INGRED", "ambient", 540, (G, M, S), (p("1kg", "55.00", 12),)),
    Product("k-teriyaki", "照烧汁", "Teriyaki Sauce", "INGRED", "ambient", 365, (S, G), (p("1.8L", "38.00", 6),)),
    Product("k-box", "一次性餐盒", "Takeaway Meal Boxes", "PACKAGING", "ambient", 1800, (), (p("500个", "160.00", 1),)),
    Product("k-film", "食品保鲜膜", "Cling Film Roll", "PACKAGING", "ambient", 1800, (), (p("30cmx500m", "48.00", 6),)),
    Product("k-label", "保质期标签", "Date Labels", "PACKAGING", "ambient", 1800, (), (p("1000张", "25.00", 10),)),
)

ALL_PRODUCTS: tuple[Product, ...] = GROCERY + FRESH + PREPARED + KITCHEN
# fmt: on
