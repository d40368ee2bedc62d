"""SGTIN-96 EPCs for simulated RFID tags, encoded with epcpy (decoded by ``boh.catalog.api.decode_epc``)."""

from __future__ import annotations

from epcpy.epc_schemes.sgtin import SGTIN, SGTINFilterValue

from boh.catalog.api import normalize_gtin

SERIAL_MAX = (1 << 38) - 1  # SGTIN-96 serials are 38-bit integers


def sgtin96_hex(gtin: str, serial: int, *, company_prefix_length: int = 7) -> str:
    """The 24-hex-digit SGTIN-96 of one tagged unit of ``gtin`` (GTIN-8/12/13/14), filter "point of sale item".

    The company prefix length only splits the GTIN inside the EPC; any valid length (6-12) decodes back to
    the same GTIN, so 7 (the usual length of a Chinese GS1 prefix) is used unless told otherwise.
    """
    if not 0 <= serial <= SERIAL_MAX:
        raise ValueError(f"SGTIN-96 serial must be 0..{SERIAL_MAX}, got {serial}")
    scheme = SGTIN.from_gtin_plus_serial(normalize_gtin(gtin), str(serial), company_prefix_length)
    return str(
        scheme.hex(binary_coding_scheme=SGTIN.BinaryCodingScheme.SGTIN_96, filter_value=SGTINFilterValue.POS_ITEM)
    )
