"""The demo chain's regions and sites: hand-written, with real cities, plausible street addresses and
approximate coordinates. Pure data; ``org.py`` turns it into rows through the org services."""

from __future__ import annotations

from dataclasses import dataclass

# fmt: off

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    name_zh: str


@dataclass(frozen=True)
class SiteSpec:
    code: str
    region: str
    kind: str  # store | dc | kitchen | office
    format: str | None  # hypermarket | supermarket | convenience | restaurant (stores only)
    size: str  # S M L XL
    city: str
    name_zh: str
    name: str
    address: str
    lat: str
    lon: str
    area_m2: int
    hours: str  # key of HOURS


REGIONS = (
    RegionSpec("EAST", "East China", "华东大区"),
    RegionSpec("NORTH", "North China", "华北大区"),
    RegionSpec("SOUTH", "South China", "华南大区"),
    RegionSpec("SW", "Southwest China", "西南大区"),
)

_SH = "上海"

# code, region, kind, format, size, city, name_zh, name, address, lat, lon, area, hours
_STORES: tuple[tuple[str, str, str, str | None, str, str, str, str, str, str, str, int, str], ...] = (
    # --- East: Shanghai, Hangzhou, Suzhou, Nanjing
    ("SH01", "EAST", "store", "hypermarket", "XL", _SH, "鲜邻生活·张江店", "FreshNest Zhangjiang",
     "上海市浦东新区张江路1238号", "31.204500", "121.590200", 12000, "hyper"),
    ("SH02", "EAST", "store", "supermarket", "L", _SH, "鲜邻超市·徐家汇店", "FreshNest Market Xujiahui",
     "上海市徐汇区漕溪北路595号", "31.188100", "121.437200", 3200, "super"),
    ("SH03", "EAST", "store", "convenience", "S", _SH, "鲜邻便利·南京西路店", "FreshNest Go Nanjing West Rd",
     "上海市静安区南京西路1266号", "31.229100", "121.455300", 120, "24h"),
    ("SH04", "EAST", "store", "convenience", "S", _SH, "鲜邻便利·淮海中路店", "FreshNest Go Huaihai Rd",
     "上海市黄浦区淮海中路300号", "31.220600", "121.470100", 110, "conv"),
    ("SH05", "EAST", "store", "restaurant", "M", _SH, "鲜邻小馆·长宁店", "FreshNest Bistro Changning",
     "上海市长宁区长宁路1018号", "31.219200", "121.416300", 380, "rest"),
    ("HZ01", "EAST", "store", "supermarket", "M", "杭州", "鲜邻超市·文三路店", "FreshNest Market Wensan Rd",
     "浙江省杭州市西湖区文三路398号", "30.279400", "120.130600", 2400, "super"),
    ("SU01", "EAST", "store", "supermarket", "M", "苏州", "鲜邻超市·金鸡湖店", "FreshNest Market Jinji Lake",
     "江苏省苏州市苏州工业园区星湖街328号", "31.309300", "120.732100", 2200, "super"),
    ("NJ01", "EAST", "store", "convenience", "S", "南京", "鲜邻便利·鼓楼店", "FreshNest Go Gulou",
     "江苏省南京市鼓楼区中山路321号", "32.061200", "118.780100", 95, "conv"),
    # --- North: Beijing, Tianjin
    ("BJ01", "NORTH", "store", "hypermarket", "XL", "北京", "鲜邻生活·望京店", "FreshNest Wangjing",
     "北京市朝阳区望京街9号", "39.996300", "116.470800", 10500, "hyper"),
    ("BJ02", "NORTH", "store", "supermarket", "L", "北京", "鲜邻超市·中关村店", "FreshNest Market Zhongguancun",
     "北京市海淀区中关村大街15号", "39.983400", "116.315700", 2800, "super"),
    ("BJ03", "NORTH", "store", "convenience", "S", "北京", "鲜邻便利·东直门店", "FreshNest Go Dongzhimen",
     "北京市东城区东直门内大街88号", "39.940200", "116.420500", 100, "24h"),
    ("BJ04", "NORTH", "store", "restaurant", "M", "北京", "鲜邻小馆·西单店", "FreshNest Bistro Xidan",
     "北京市西城区西单北大街120号", "39.912300", "116.374200", 420, "rest"),
    ("TJ01", "NORTH", "store", "supermarket", "M", "天津", "鲜邻超市·南京路店", "FreshNest Market Nanjing Rd",
     "天津市和平区南京路189号", "39.120400", "117.200900", 2100, "super"),
    # --- South: Guangzhou, Shenzhen
    ("GZ01", "SOUTH", "store", "hypermarket", "L", "广州", "鲜邻生活·天河店", "FreshNest Tianhe",
     "广东省广州市天河区天河路208号", "23.132100", "113.323400", 8500, "hyper"),
    ("GZ02", "SOUTH", "store", "convenience", "S", "广州", "鲜邻便利·北京路店", "FreshNest Go Beijing Rd",
     "广东省广州市越秀区北京路168号", "23.125300", "113.269400", 105, "24h"),
    ("GZ03", "SOUTH", "store", "restaurant", "M", "广州", "鲜邻小馆·海珠店", "FreshNest Bistro Haizhu",
     "广东省广州市海珠区江南大道中128号", "23.100200", "113.272600", 360, "rest"),
    ("SZ01", "SOUTH", "store", "supermarket", "L", "深圳", "鲜邻超市·科技园店", "FreshNest Market Science Park",
     "广东省深圳市南山区高新南一道6号", "22.540600", "113.950300", 3000, "super"),
    ("SZ02", "SOUTH", "store", "convenience", "S", "深圳", "鲜邻便利·福田店", "FreshNest Go Futian",
     "广东省深圳市福田区福华三路88号", "22.537400", "114.055200", 115, "24h"),
    # --- Southwest: Chengdu, Chongqing
    ("CD01", "SW", "store", "hypermarket", "L", "成都", "鲜邻生活·天府大道店", "FreshNest Tianfu Avenue",
     "四川省成都市武侯区天府大道北段1700号", "30.570200", "104.065300", 9000, "hyper"),
    ("CD02", "SW", "store", "supermarket", "M", "成都", "鲜邻超市·春熙路店", "FreshNest Market Chunxi Rd",
     "四川省成都市锦江区春熙路99号", "30.657400", "104.080200", 1900, "super"),
    ("CD03", "SW", "store", "restaurant", "M", "成都", "鲜邻小馆·宽窄巷子店", "FreshNest Bistro Kuanzhai Alley",
     "四川省成都市青羊区宽窄巷子18号", "30.670100", "104.055400", 300, "rest"),
    ("CQ01", "SW", "store", "convenience", "S", "重庆", "鲜邻便利·解放碑店", "FreshNest Go Jiefangbei",
     "重庆市渝中区民族路166号", "29.558200", "106.577300", 90, "conv"),
    # --- Supply sites and head office (all near Shanghai)
    ("DC01", "EAST", "dc", None, "XL", _SH, "鲜邻华东配送中心", "FreshNest East Distribution Centre",
     "上海市嘉定区嘉松北路6688号", "31.375600", "121.265400", 24000, "dc"),
    ("CK01", "EAST", "kitchen", None, "L", _SH, "鲜邻中央厨房", "FreshNest Central Kitchen",
     "上海市闵行区春东路508号", "31.112400", "121.382100", 3500, "kitchen"),
    ("HQ", "EAST", "office", None, "M", _SH, "鲜邻生活总部", "FreshNest Head Office",
     "上海市浦东新区世纪大道100号", "31.238300", "121.504100", 1800, "office"),
)

SITES = tuple(SiteSpec(*row) for row in _STORES)


def _every_day(*slots: str) -> dict[str, list[str]]:
    return {d: list(slots) for d in DAYS}


def _weekdays(weekday: tuple[str, ...], weekend: tuple[str, ...]) -> dict[str, list[str]]:
    return {d: list(weekend if d in ("sat", "sun") else weekday) for d in DAYS}


HOURS: dict[str, dict[str, list[str]]] = {
    "hyper": _every_day("08:00-22:00"),
    "super": _weekdays(("07:30-22:00",), ("07:30-22:30",)),
    "conv": _every_day("07:00-23:00"),
    "24h": _every_day("00:00-24:00"),
    "rest": _every_day("10:30-14:00", "17:00-21:30"),
    "dc": _every_day("00:00-24:00"),
    "kitchen": _every_day("04:00-20:00"),
    "office": {d: ["09:00-18:00"] for d in DAYS[:5]},
}
# fmt: on
