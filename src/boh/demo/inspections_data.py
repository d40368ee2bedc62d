"""The demo chain's three checklists (food safety, display standards, opening checklist), as template exports:
pure data, bilingual, with weights, critical and food-safety items, guidance and a conditional follow-up."""

from __future__ import annotations

from typing import Any

# fmt: off


def _i(key: str, kind: str, text: str, text_zh: str, **extra: Any) -> dict[str, Any]:
    return {"key": key, "kind": kind, "text": text, "text_zh": text_zh, **extra}


FOOD_SAFETY: dict[str, Any] = {
    "code": "FS", "name": "Food safety audit", "name_zh": "食品安全检查",
    "definition": {"pass_score": "80", "sections": [
        {"key": "cold", "title": "Cold chain", "title_zh": "冷链", "items": [
            _i("chiller", "temperature", "Chiller temperature (middle shelf probe)", "冷藏柜温度（中层探针）",
               min="0", max="5", unit="°C", weight="3", critical=True, food_safety=True,
               guidance="Probe the middle shelf; chilled food must stay at 0-5 °C.",
               guidance_zh="测量中层；冷藏食品须保持在 0-5 °C。"),
            _i("chiller_fix", "text", "What was done about the chiller?", "冷藏柜问题如何处理？",
               show_if={"item": "chiller", "failed": True}),
            _i("freezer", "temperature", "Freezer temperature", "冷冻柜温度", max="-18", unit="°C", weight="2",
               food_safety=True, severity="high"),
            _i("cold_log", "yes_no", "Temperature log filled in twice a day", "每日两次填写温度记录", weight="1"),
        ]},
        {"key": "hygiene", "title": "Hygiene", "title_zh": "卫生", "items": [
            _i("handwash", "yes_no", "Hand-wash station stocked (soap, paper, hot water)",
               "洗手设施齐备（洗手液、纸巾、热水）", weight="2", severity="high"),
            _i("pests", "yes_no", "No sign of pests", "无虫害迹象", weight="3", critical=True,
               guidance="Check behind shelves, under the sink and the back store.",
               guidance_zh="检查货架后、水槽下和仓库。"),
            _i("cleaning", "scale", "Cleanliness of the fresh counters", "生鲜柜台清洁程度", scale_max=5, pass_min="3",
               weight="2"),
        ]},
        {"key": "dates", "title": "Dates and labels", "title_zh": "日期与标签", "items": [
            _i("expired", "number", "Expired products found on the shelf", "货架上发现的过期商品数", min="0", max="0",
               weight="3", severity="high"),
            _i("labels", "choice", "Prep labels on ready-to-eat food", "即食食品制备标签", weight="1", options=[
                {"key": "all", "label": "All labelled", "label_zh": "全部有标签", "points": "2"},
                {"key": "some", "label": "Some missing", "label_zh": "部分缺失", "points": "1"},
                {"key": "none", "label": "None", "label_zh": "没有", "points": "0", "fails": True}]),
            _i("counter_photo", "photo", "Photo of the deli counter", "熟食柜台照片", weight="1", required=False),
            _i("signature", "signature", "Store manager's signature", "店长签名", required=False),
        ]},
    ]},
}

DISPLAY: dict[str, Any] = {
    "code": "DISPLAY", "name": "Display standards", "name_zh": "陈列标准", "formats": ["hypermarket", "supermarket"],
    "definition": {"pass_score": "75", "sections": [
        {"key": "front", "title": "Store front", "title_zh": "门头与入口", "items": [
            _i("entrance", "scale", "Entrance tidy and welcoming", "入口整洁", scale_max=5, pass_min="3", weight="1"),
            _i("promo", "yes_no", "This week's promotion set up as planned", "本周促销按计划布置", weight="2",
               guidance="Compare with the promotion planogram sent on Monday.",
               guidance_zh="与周一下发的促销陈列图对照。"),
        ]},
        {"key": "shelves", "title": "Shelves", "title_zh": "货架", "items": [
            _i("gaps", "number", "Empty shelf facings in the checked aisle", "抽查通道的空排面数", min="0", max="3",
               weight="2", severity="low"),
            _i("price_tags", "yes_no", "Price tags match the shelf", "价签与商品一致", weight="2"),
            _i("fresh_display", "choice", "Fruit and vegetable display", "果蔬陈列", weight="2", options=[
                {"key": "full", "label": "Full and fresh", "label_zh": "饱满新鲜", "points": "2"},
                {"key": "thin", "label": "Thin", "label_zh": "稀疏", "points": "1"},
                {"key": "poor", "label": "Damaged produce on show", "label_zh": "有损坏果蔬", "points": "0",
                 "fails": True}]),
        ]},
    ]},
}

OPENING: dict[str, Any] = {
    "code": "OPEN", "name": "Opening checklist", "name_zh": "开店检查表",
    "definition": {"pass_score": "90", "sections": [
        {"key": "open", "title": "Before the doors open", "title_zh": "开门前", "items": [
            _i("lights", "yes_no", "Lights, music and checkouts on", "灯光、音乐、收银台已开启"),
            _i("floor", "yes_no", "Floor clean and dry", "地面清洁干燥", severity="high"),
            _i("cold_ok", "yes_no", "Cold cabinets at temperature", "冷柜温度正常", critical=True, food_safety=True),
            _i("float", "yes_no", "Cash floats counted", "备用金已清点"),
        ]},
    ]},
}

TEMPLATES = (FOOD_SAFETY, DISPLAY, OPENING)
