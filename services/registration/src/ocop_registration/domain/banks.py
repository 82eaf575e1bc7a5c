"""The banks an exhibitor may receive VietQR transfers at: members of NAPAS's fast transfer
(NAPAS 247), each by its BIN (the 6-digit bank identification number a VietQR code names), its
short name (as people and banking apps say it) and its full Vietnamese name.

Data, no I/O. Taken from the public list VietQR publishes (``api.vietqr.io/v2/banks``, as
of 2025: Đông Á is now Vikki, OceanBank MBV, LienVietPostBank LPBank, PG Bank Thịnh vượng và
Phát triển). E-wallets (MoMo, Viettel Money, VNPT Money) and finance companies on that list
are left out: an exhibitor's receiving account is a bank account. A bank that joins later is a
line here (``GET /banks`` answers the list; ``tests/unit/test_banks.py`` checks it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Bank:
    bin: str  # 6 digits
    short_name: str
    name: str  # the full name, in Vietnamese


BANKS: tuple[Bank, ...] = (
    # The largest first (state-owned and the big joint-stock banks), then by short name.
    Bank("970436", "Vietcombank", "Ngân hàng TMCP Ngoại Thương Việt Nam"),
    Bank("970415", "VietinBank", "Ngân hàng TMCP Công thương Việt Nam"),
    Bank("970418", "BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam"),
    Bank("970405", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"),
    Bank("970422", "MBBank", "Ngân hàng TMCP Quân đội"),
    Bank("970407", "Techcombank", "Ngân hàng TMCP Kỹ thương Việt Nam"),
    Bank("970416", "ACB", "Ngân hàng TMCP Á Châu"),
    Bank("970432", "VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng"),
    Bank("970423", "TPBank", "Ngân hàng TMCP Tiên Phong"),
    Bank("970403", "Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín"),
    Bank("970437", "HDBank", "Ngân hàng TMCP Phát triển Thành phố Hồ Chí Minh"),
    Bank("970441", "VIB", "Ngân hàng TMCP Quốc tế Việt Nam"),
    Bank("970443", "SHB", "Ngân hàng TMCP Sài Gòn - Hà Nội"),
    Bank("970448", "OCB", "Ngân hàng TMCP Phương Đông"),
    Bank("970426", "MSB", "Ngân hàng TMCP Hàng Hải Việt Nam"),
    Bank("970431", "Eximbank", "Ngân hàng TMCP Xuất Nhập khẩu Việt Nam"),
    Bank("970440", "SeABank", "Ngân hàng TMCP Đông Nam Á"),
    Bank("970449", "LPBank", "Ngân hàng TMCP Lộc Phát Việt Nam"),
    Bank("999888", "VBSP", "Ngân hàng Chính sách Xã hội"),
    Bank("970446", "Co-opBank", "Ngân hàng Hợp tác xã Việt Nam"),
    Bank("970425", "ABBANK", "Ngân hàng TMCP An Bình"),
    Bank("970409", "BacABank", "Ngân hàng TMCP Bắc Á"),
    Bank("970438", "BaoVietBank", "Ngân hàng TMCP Bảo Việt"),
    Bank("546034", "CAKE", "TMCP Việt Nam Thịnh Vượng - Ngân hàng số CAKE by VPBank"),
    Bank("970444", "CBBank", "Ngân hàng Thương mại TNHH MTV Xây dựng Việt Nam"),
    Bank("422589", "CIMB", "Ngân hàng TNHH MTV CIMB Việt Nam"),
    Bank("533948", "Citibank", "Ngân hàng Citibank, N.A. - Chi nhánh Hà Nội"),
    Bank("796500", "DBSBank", "DBS Bank Ltd - Chi nhánh Thành phố Hồ Chí Minh"),
    Bank("970408", "GPBank", "Ngân hàng Thương mại TNHH MTV Dầu Khí Toàn Cầu"),
    Bank("970442", "HongLeong", "Ngân hàng TNHH MTV Hong Leong Việt Nam"),
    Bank("458761", "HSBC", "Ngân hàng TNHH MTV HSBC (Việt Nam)"),
    Bank("970455", "IBKHN", "Ngân hàng Công nghiệp Hàn Quốc - Chi nhánh Hà Nội"),
    Bank("970456", "IBKHCM", "Ngân hàng Công nghiệp Hàn Quốc - Chi nhánh TP. Hồ Chí Minh"),
    Bank("970434", "IndovinaBank", "Ngân hàng TNHH Indovina"),
    Bank("668888", "KBank", "Ngân hàng Đại chúng TNHH Kasikornbank"),
    Bank("970467", "KEBHanaHN", "Ngân hàng KEB Hana - Chi nhánh Hà Nội"),
    Bank("970466", "KEBHanaHCM", "Ngân hàng KEB Hana - Chi nhánh Thành phố Hồ Chí Minh"),
    Bank("970452", "KienLongBank", "Ngân hàng TMCP Kiên Long"),
    Bank("970462", "KookminHN", "Ngân hàng Kookmin - Chi nhánh Hà Nội"),
    Bank("970463", "KookminHCM", "Ngân hàng Kookmin - Chi nhánh Thành phố Hồ Chí Minh"),
    Bank("970414", "MBV", "Ngân hàng TNHH MTV Việt Nam Hiện Đại"),
    Bank("970428", "NamABank", "Ngân hàng TMCP Nam Á"),
    Bank("970419", "NCB", "Ngân hàng TMCP Quốc Dân"),
    Bank("801011", "Nonghyup", "Ngân hàng Nonghyup - Chi nhánh Hà Nội"),
    Bank("970430", "PGBank", "Ngân hàng TMCP Thịnh vượng và Phát triển"),
    Bank("970439", "PublicBank", "Ngân hàng TNHH MTV Public Việt Nam"),
    Bank("970412", "PVcomBank", "Ngân hàng TMCP Đại Chúng Việt Nam"),
    Bank("971133", "PVcomBank Pay", "Ngân hàng TMCP Đại Chúng Việt Nam - Ngân hàng số"),
    Bank("970400", "SaigonBank", "Ngân hàng TMCP Sài Gòn Công Thương"),
    Bank("970429", "SCB", "Ngân hàng TMCP Sài Gòn"),
    Bank("970424", "ShinhanBank", "Ngân hàng TNHH MTV Shinhan Việt Nam"),
    Bank("970410", "StandardChartered", "Ngân hàng TNHH MTV Standard Chartered Bank Việt Nam"),
    Bank("963388", "Timo", "Ngân hàng số Timo by Ban Viet Bank"),
    Bank("546035", "Ubank", "TMCP Việt Nam Thịnh Vượng - Ngân hàng số Ubank by VPBank"),
    Bank("970458", "UnitedOverseas", "Ngân hàng United Overseas - Chi nhánh TP. Hồ Chí Minh"),
    Bank("970427", "VietABank", "Ngân hàng TMCP Việt Á"),
    Bank("970433", "VietBank", "Ngân hàng TMCP Việt Nam Thương Tín"),
    Bank("970454", "VietCapitalBank", "Ngân hàng TMCP Bản Việt"),
    Bank("970406", "Vikki", "Ngân hàng TNHH MTV Số Vikki"),
    Bank("970421", "VRB", "Ngân hàng Liên doanh Việt - Nga"),
    Bank("970457", "Woori", "Ngân hàng TNHH MTV Woori Việt Nam"),
)

BY_BIN: dict[str, Bank] = {bank.bin: bank for bank in BANKS}


def bank(bin_: str) -> Bank | None:
    """The bank of a BIN, or None when no bank of the list has it."""
    return BY_BIN.get(bin_)
