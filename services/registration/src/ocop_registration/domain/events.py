"""The one place registration's own state becomes the snapshots its events carry.

The event contracts (``ocop_shared.contracts.registration``) are what other services read;
the entities (``Fair``, ``Exhibitor``, ``Product``, ``Certificate``, ``Application``) are what
registration decides on and stores. Decisions that announce something build their events'
payloads with these functions, field by field, so either side can change without the other
following by accident."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocop_shared.contracts.registration import (
    AdmissionRules,
    AdmittedProduct,
    ApplicationSnapshot,
    BoothRequest,
    CertificateSnapshot,
    ExhibitorSnapshot,
    FairSnapshot,
    InspectionSnapshot,
    OpeningHours,
    ProductSnapshot,
    StoreSnapshot,
)

if TYPE_CHECKING:
    from ocop_registration.domain.applications import Application
    from ocop_registration.domain.exhibitors import Exhibitor
    from ocop_registration.domain.fairs import Fair
    from ocop_registration.domain.inspections import Inspection
    from ocop_registration.domain.products import Certificate, Product


def fair_snapshot(fair: Fair) -> FairSnapshot:
    rules = fair.rules
    return FairSnapshot(
        fair_id=fair.fair_id,
        organizer_id=fair.organizer_id,
        name=fair.name,
        kind=fair.kind,
        venue=fair.venue,
        province=fair.province,
        starts_at=fair.starts_at,
        ends_at=fair.ends_at,
        applications_open_at=fair.applications_open_at,
        applications_close_at=fair.applications_close_at,
        rules=AdmissionRules(
            min_star=rules.min_star,
            product_groups=list(rules.product_groups),
            taxonomy=rules.taxonomy,
            max_booths_per_holder=rules.max_booths_per_holder,
            subsidy_percent=rules.subsidy_percent,
            subsidy_max_booths=rules.subsidy_max_booths,
            allocation_mode=rules.allocation_mode,
            commission_percent=rules.commission_percent,
            selling=fair.kind != "exhibition",  # an exhibition is display-only: no tills
            admits_local_goods=rules.admits_local_goods,
        ),
        status=fair.status,
        host_retailer_id=fair.host_retailer_id,
        stores=[StoreSnapshot(store_code=s.store_code, name=s.name) for s in fair.stores],
        opening_hours=[
            OpeningHours(weekday=h.weekday, opens=h.opens, closes=h.closes)
            for h in fair.opening_hours
        ],
        open_ended=fair.open_ended,
    )


def exhibitor_snapshot(exhibitor: Exhibitor) -> ExhibitorSnapshot:
    """Contact details (address, e-mail) stay with registration: never announced. The bank
    account is announced (sales makes its tills' VietQR codes with it)."""
    return ExhibitorSnapshot(
        exhibitor_id=exhibitor.exhibitor_id,
        kind=exhibitor.kind,
        name=exhibitor.name,
        tax_code=exhibitor.tax_code,
        province=exhibitor.province,
        commune=exhibitor.commune,
        phone=exhibitor.phone,
        member_ids=list(exhibitor.member_ids),
        bank_bin=bank.bin if (bank := exhibitor.bank) else None,
        bank_account=bank.account if bank else None,
        bank_account_name=bank.account_name if bank else None,
    )


def certificate_snapshot(certificate: Certificate) -> CertificateSnapshot:
    return CertificateSnapshot(
        certificate_id=certificate.certificate_id,
        number=certificate.number,
        star=certificate.star,
        issuing_level=certificate.issuing_level,
        issuing_body=certificate.issuing_body,
        decision_number=certificate.decision_number,
        decision_date=certificate.decision_date,
        valid_from=certificate.valid_from,
        valid_to=certificate.valid_to,
        status=certificate.status,
    )


def product_snapshot(product: Product) -> ProductSnapshot:
    # products.py imports this module: read its taxonomy at call time (issue 15: names).
    from ocop_registration.domain.products import group_name

    certificate = product.certificate
    return ProductSnapshot(
        product_id=product.product_id,
        holder_id=product.holder_id,
        name=product.name,
        group=product.group,
        taxonomy=product.taxonomy,
        gtin=product.gtin,
        unit=product.unit,
        list_price_vnd=product.list_price_vnd,
        certificate=certificate_snapshot(certificate) if certificate else None,
        ocop_until=product.ocop_until,
        product_group_name=group_name(product.taxonomy, product.group),
    )


def application_snapshot(application: Application) -> ApplicationSnapshot:
    booths = application.booth_request
    return ApplicationSnapshot(
        application_id=application.application_id,
        fair_id=application.fair_id,
        exhibitor_id=application.exhibitor_id,
        exhibitor_name=application.exhibitor_name,
        exhibitor_kind=application.exhibitor_kind,
        province=application.province,
        products=[product_snapshot(p) for p in application.products],
        booth_request=BoothRequest(
            count=booths.count,
            booth_type=booths.booth_type,
            zone=booths.zone,
            product_group=booths.product_group,
            notes=booths.notes,
        ),
        status=application.status,
        submitted_at=application.submitted_at,
        reviewed_by=application.reviewed_by,
        reviewed_at=application.reviewed_at,
        reason=application.reason,
        reason_code=application.reason_code,
        best_star=application.best_star,
        admitted=[
            AdmittedProduct(product_id=a.product_id, until=a.until, ocop=a.ocop)
            for a in application.admitted
        ],
    )


def inspection_snapshot(i: Inspection) -> InspectionSnapshot:
    """An inspection as the tills' service reads it: ``suspended`` is the decision for the
    product at that fair; who the product's certificate belongs to stays with registration."""
    return InspectionSnapshot(
        inspection_id=i.inspection_id,
        fair_id=i.fair_id,
        product_id=i.product_id,
        holder_id=i.holder_id,
        exhibitor_id=i.exhibitor_id,
        booth_code=i.booth_code,
        sample=i.sample,
        finding=i.finding,
        decision=i.decision,
        suspended=i.suspended,
        inspector_id=i.inspector_id,
        inspected_by=i.inspected_by,
        recorded_at=i.recorded_at,
    )
