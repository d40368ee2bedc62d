"""Supplier certificates (food safety, organic, halal, licences): what each supplier holds and until when,
the tenant's requirement policy (which certificate types are required for which suppliers or item
categories, and whether an expired or missing one blocks a receipt or quarantines its lots), the verdict a
receipt asks for (``boh.catalog.api.certificate_verdict``), expiry warnings 30 and 7 days ahead (a daily
job telling buyers once per certificate and threshold) and the certificates part of the today page.

Owns catalog_supplier_certificate and catalog_certificate_requirement. Documents (scans, PDFs) live in the
blob store (``boh.kernel.blobs``) under ``certificates/<tenant>/<certificate>/``.
"""
