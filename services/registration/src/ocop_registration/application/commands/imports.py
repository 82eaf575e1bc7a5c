"""Bulk import of a province's OCOP register. The file is read and each row parsed by an
adapter; here each good row goes through the same handlers as the API: the holder is found or
added (``exhibitors.add_exhibitor``), the product registered (``products.register_product``)
and its certificate issued (``certificates.issue_certificate``), all in one transaction.

A register is a certifying council's act: a province's council imports the 3★ and 4★
certificates of its province's holders, the central council 5★ ones of any province; other
rows are row errors (``province``, ``star``), like any other bad row. The certificates it
records carry the council and the person who imported them.

A file with any bad row changes nothing, unless the caller asked for the valid rows only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ocop_registration.application.commands.certificates import issue_certificate
from ocop_registration.application.commands.exhibitors import add_exhibitor
from ocop_registration.application.commands.products import register_product
from ocop_registration.application.ports import Repositories
from ocop_registration.domain.authority import Authority, refusal
from ocop_registration.domain.exhibitors import Exhibitor, ExhibitorDraft
from ocop_registration.domain.products import CertificateDraft, ProductDraft
from ocop_registration.domain.text import fold
from ocop_shared.uow import UnitOfWork


@dataclass(frozen=True)
class RowError:
    field: str
    message: str


@dataclass
class RegisterRow:
    """One row of the register: what it asks for, or why it cannot be imported."""

    line: int
    holder: ExhibitorDraft | None = None
    product: ProductDraft | None = None
    certificate: CertificateDraft | None = None
    errors: list[RowError] = field(default_factory=list)

    def refuse(self, field: str, message: str) -> None:
        self.errors.append(RowError(field, message))


@dataclass(frozen=True)
class ImportReport:
    rows: int
    imported: int
    rejected: list[RegisterRow]

    @property
    def applied(self) -> bool:
        return self.imported > 0


async def import_register(
    uow: UnitOfWork[Repositories],
    authority: Authority,
    rows: Sequence[RegisterRow],
    *,
    valid_rows_only: bool,
) -> ImportReport:
    flag_duplicates(rows)
    flag_jurisdiction(authority, rows)
    await _flag_taken(uow.repos, rows)
    await _flag_holders_elsewhere(uow.repos, authority, rows)
    rejected = [r for r in rows if r.errors]
    good = [r for r in rows if not r.errors]
    if not good or (rejected and not valid_rows_only):
        return ImportReport(len(rows), 0, rejected)
    holders: dict[tuple[str, ...], Exhibitor] = {}
    for row in good:
        assert row.holder and row.product and row.certificate
        key = _holder_key(row.holder)
        holder = holders.get(key)
        if holder is None:
            holder = await _existing_holder(uow.repos, row.holder) or await add_exhibitor(
                uow, row.holder
            )
            holders[key] = holder
        new = await register_product(uow, row.product, holder_id=holder.exhibitor_id)
        await issue_certificate(uow, authority, new.product.product_id, row.certificate)
    return ImportReport(len(rows), len(good), rejected)


def flag_duplicates(rows: Sequence[RegisterRow]) -> None:
    """A certificate number or a barcode listed twice in one file: the later rows are refused."""
    seen_numbers: dict[str, int] = {}
    seen_gtins: dict[str, int] = {}
    for r in rows:
        if r.certificate is None or r.product is None:
            continue
        number = r.certificate.number
        if number in seen_numbers:
            r.refuse("certificate_number", f"also on line {seen_numbers[number]}")
        seen_numbers.setdefault(number, r.line)
        if r.product.gtin:
            if r.product.gtin in seen_gtins:
                r.refuse("gtin", f"also on line {seen_gtins[r.product.gtin]}")
            seen_gtins.setdefault(r.product.gtin, r.line)


def flag_jurisdiction(authority: Authority, rows: Sequence[RegisterRow]) -> None:
    """Rows of another province, or of a star beyond the council's level."""
    for r in rows:
        if r.holder is None or r.certificate is None:
            continue
        found = refusal(authority, r.holder.province, r.certificate.star)
        if found is not None:
            r.refuse(found.field, found.message)


async def _flag_holders_elsewhere(
    repos: Repositories, authority: Authority, rows: Sequence[RegisterRow]
) -> None:
    """A row naming a holder already registered (by tax code) in a province outside the
    council's jurisdiction."""
    known: dict[str, Exhibitor | None] = {}
    for r in rows:
        if r.errors or r.holder is None or r.certificate is None or not r.holder.tax_code:
            continue
        tax_code = r.holder.tax_code
        if tax_code not in known:
            known[tax_code] = await repos.exhibitors.by_tax_code(tax_code)
        existing = known[tax_code]
        if existing is None:
            continue
        found = refusal(authority, existing.province, r.certificate.star)
        if found is not None and found.outside:
            r.refuse("tax_code", f"this holder is registered in {existing.province}")


async def _flag_taken(repos: Repositories, rows: Sequence[RegisterRow]) -> None:
    taken_numbers = await repos.certificates.taken_numbers(
        [r.certificate.number for r in rows if r.certificate]
    )
    taken_gtins = await repos.products.taken_gtins(
        [r.product.gtin for r in rows if r.product and r.product.gtin]
    )
    for r in rows:
        if r.certificate and r.certificate.number in taken_numbers:
            r.refuse("certificate_number", "already recorded")
        if r.product and r.product.gtin in taken_gtins:
            r.refuse("gtin", "already registered to a product")


def _holder_key(holder: ExhibitorDraft) -> tuple[str, ...]:
    """A holder is the same holder by tax code, or else by name and province."""
    if holder.tax_code:
        return (holder.tax_code,)
    return (fold(holder.name), fold(holder.province))


async def _existing_holder(repos: Repositories, holder: ExhibitorDraft) -> Exhibitor | None:
    if holder.tax_code:
        return await repos.exhibitors.by_tax_code(holder.tax_code)
    return await repos.exhibitors.holder_named(fold(holder.name), holder.province)
