"""Pure parsing of what a scanner or an RFID reader sends: GTINs (check digit verified), GS1-128 /
DataMatrix element strings (AIs 01 GTIN, 10 lot, 15 best before, 17 expiry, 21 serial) and SGTIN EPCs
(SGTIN-96 / SGTIN-198 hex, EPC pure-identity and tag URIs). GS1 parsing is ``biip``'s; EPC decoding is
``epcpy``'s. GTINs are always returned as 14 digits, the form they are stored and matched in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

import biip
from biip.gs1_element_strings import GS1ElementStrings
from biip.gs1_messages import GS1Message
from biip.gtin import Gtin
from epcpy.epc_schemes.sgtin import SGTIN
from epcpy.utils.common import ConvertException, replace_uri_escapes
from epcpy.utils.parsers import epc_pure_identity_to_scheme, hex_to_tag_encodable, tag_uri_to_tag_encodable

from boh.catalog.errors import InvalidBarcode, InvalidEpc

# the boh.kernel.cache namespace of resolved SKUs and GTINs (floor ingestion); emptied when an item changes
ITEM_CODES_CACHE = "catalog.item_codes"

GTIN_LENGTHS = (8, 12, 13, 14)
_DIGITS = re.compile(r"^\d+$")
# SGTIN-96: 96 bits = 24 hex digits, header 0x30; SGTIN-198: 198 bits padded to 52 hex digits, header 0x36
_EPC_HEX = re.compile(r"^(30[0-9A-Fa-f]{22}|36[0-9A-Fa-f]{50})$")


@dataclass(frozen=True)
class ScanResult:
    source: Literal["gtin", "gs1", "epc"]
    gtin: str | None  # GTIN-14
    lot: str | None = None
    expiry: date | None = None  # AI 17
    best_before: date | None = None  # AI 15
    serial: str | None = None
    epc_uri: str | None = None  # urn:epc:id:sgtin:... when the code was an EPC


def normalize_gtin(code: str) -> str:
    """A GTIN-8/12/13/14 as 14 digits; InvalidBarcode if it is not one or its check digit is wrong."""
    value = code.strip()
    if not _DIGITS.match(value) or len(value) not in GTIN_LENGTHS:
        raise InvalidBarcode(f"'{code}' is not a GTIN: expected 8, 12, 13 or 14 digits")
    try:
        return Gtin.parse(value).as_gtin_14()
    except biip.ParseError as exc:
        raise InvalidBarcode(str(exc)) from exc


def gtin_problem(code: str) -> str | None:
    """Why ``code`` is not a valid GTIN, or None (for bulk validation without exceptions)."""
    try:
        normalize_gtin(code)
    except InvalidBarcode as exc:
        return exc.detail
    return None


def _element_strings(text: str) -> GS1ElementStrings:
    config = biip.ParseConfig(separator_chars=("\x1d", "|"))
    if text.startswith("("):
        try:
            return GS1Message.parse_hri(text, config=config).element_strings
        except biip.ParseError as exc:
            raise InvalidBarcode(str(exc)) from exc
    try:
        result = biip.parse(text, config=config)
    except (biip.ParseError, ValueError, IndexError) as exc:  # "]<", or "]" alone (biip indexes past its end)
        raise InvalidBarcode(str(exc) or f"'{text}' is not a GTIN or a GS1 element string") from exc
    if result.gs1_message is not None:
        return result.gs1_message.element_strings
    if result.gs1_digital_link_uri is not None:
        return result.gs1_digital_link_uri.element_strings
    raise InvalidBarcode(result.gs1_message_error or f"'{text}' is not a GTIN or a GS1 element string")


def parse_scan(text: str) -> ScanResult:
    """A scanned barcode: a plain GTIN, or a GS1 element string (raw with FNC1/GS separators, with a
    symbology identifier such as ``]C1``, in human-readable ``(01)...(10)...`` form, or a GS1 Digital Link).
    """
    value = text.strip()
    if not value:
        raise InvalidBarcode("the code is empty")
    if _DIGITS.match(value) and len(value) in GTIN_LENGTHS:
        return ScanResult(source="gtin", gtin=normalize_gtin(value))
    elements = _element_strings(value)
    gtin: str | None = None
    found: dict[str, str] = {}
    dates: dict[str, date | None] = {}
    for es in elements:
        ai = es.ai.ai
        if ai == "01":
            if es.gtin is None:
                raise InvalidBarcode(es.gtin_error or f"invalid GTIN '{es.value}' in AI (01)")
            gtin = es.gtin.as_gtin_14()
        elif ai in ("10", "21"):
            found[ai] = es.value
        elif ai in ("15", "17"):
            dates[ai] = es.date
    return ScanResult(
        source="gs1",
        gtin=gtin,
        lot=found.get("10"),
        serial=found.get("21"),
        expiry=dates.get("17"),
        best_before=dates.get("15"),
    )


@dataclass(frozen=True)
class EpcResult:
    gtin: str  # GTIN-14
    serial: str
    uri: str  # pure identity: urn:epc:id:sgtin:CompanyPrefix.IndicatorItemRef.Serial


def looks_like_epc(text: str) -> bool:
    value = text.strip()
    return bool(_EPC_HEX.match(value)) or value.lower().startswith("urn:epc:")


def decode_epc(text: str) -> EpcResult:
    """GTIN and serial of an SGTIN EPC given as tag hex (SGTIN-96/198), a pure-identity URI
    (``urn:epc:id:sgtin:...``) or a tag URI (``urn:epc:tag:sgtin-96:...``)."""
    value = text.strip()
    try:
        if value.lower().startswith("urn:epc:id:"):
            scheme: object = epc_pure_identity_to_scheme(value)
        elif value.lower().startswith("urn:epc:tag:"):
            scheme = tag_uri_to_tag_encodable(value)
        elif re.fullmatch(r"[0-9A-Fa-f]+", value):
            scheme = hex_to_tag_encodable(value)
        else:
            raise InvalidEpc(f"'{text}' is not an EPC (tag hex or urn:epc URI)")
    except (ConvertException, ValueError, IndexError, KeyError) as exc:
        raise InvalidEpc(f"'{text}' is not a valid EPC: {exc}") from exc
    if not isinstance(scheme, SGTIN):
        raise InvalidEpc(f"'{text}' is an EPC of type {type(scheme).__name__}, not an SGTIN (trade item)")
    serial = replace_uri_escapes(".".join(scheme.epc_uri.split(":", 4)[4].split(".")[2:]))
    return EpcResult(gtin=str(scheme.gtin()), serial=serial, uri=scheme.epc_uri)


def parse_code(text: str) -> ScanResult:
    """Anything a scanner or reader sends: an SGTIN EPC, a GTIN or a GS1 element string."""
    value = text.strip()
    if looks_like_epc(value):
        try:
            epc = decode_epc(value)
        except InvalidEpc:
            if not _DIGITS.match(value):
                raise
        else:
            return ScanResult(source="epc", gtin=epc.gtin, serial=epc.serial, epc_uri=epc.uri)
    return parse_scan(value)
