"""Names for the demo fair: real places of Viet Nam's Northeast and real kinds of OCOP product."""

from __future__ import annotations

HOST_PROVINCE = "Quảng Ninh"
# The 13 districts/towns/cities of Quảng Ninh that had clusters at the 2024 regional fair.
HOST_DISTRICTS = [
    "Hạ Long", "Cẩm Phả", "Uông Bí", "Móng Cái", "Đông Triều", "Quảng Yên", "Vân Đồn",
    "Tiên Yên", "Bình Liêu", "Đầm Hà", "Hải Hà", "Ba Chẽ", "Cô Tô",
]  # fmt: skip
# Provinces as they were named in 2024 (before the 2025 mergers).
GUEST_PROVINCES = [
    "Hải Phòng", "Lạng Sơn", "Cao Bằng", "Bắc Giang", "Thái Nguyên", "Hà Giang",
    "Tuyên Quang", "Phú Thọ", "Bắc Kạn", "Lào Cai", "Yên Bái",
]  # fmt: skip

# (group, product name, unit, price in VND) by OCOP product group (2023 taxonomy).
PRODUCTS: dict[int, list[tuple[str, str, int]]] = {
    1: [
        ("Chả mực", "hộp 500g", 190_000),
        ("Sá sùng khô", "hộp 100g", 450_000),
        ("Gà đồi", "con", 350_000),
        ("Miến dong", "gói 500g", 60_000),
        ("Hàu sữa", "kg", 120_000),
        ("Nước mắm", "chai 500ml", 95_000),
        ("Tôm he khô", "hộp 200g", 320_000),
        ("Bánh gai", "hộp 10 chiếc", 80_000),
        ("Ruốc tôm", "hũ 200g", 150_000),
        ("Mật ong rừng", "chai 500ml", 250_000),
        ("Gạo nếp cái hoa vàng", "túi 2kg", 90_000),
        ("Na dai", "kg", 70_000),
        ("Vải chín sớm", "kg", 55_000),
        ("Lạp xưởng", "gói 500g", 140_000),
        ("Chè lam", "hộp", 45_000),
        ("Măng khô", "gói 300g", 110_000),
        ("Hạt dẻ", "kg", 130_000),
        ("Thịt trâu gác bếp", "gói 500g", 480_000),
    ],
    2: [
        ("Trà hoa vàng", "hộp 50g", 300_000),
        ("Rượu ba kích", "chai 500ml", 220_000),
        ("Chè Tân Cương", "hộp 200g", 180_000),
        ("Rượu mơ Yên Tử", "chai 750ml", 160_000),
        ("Trà túi lọc hoa vàng", "hộp 20 túi", 120_000),
        ("Chè Shan tuyết", "hộp 200g", 210_000),
        ("Rượu men lá", "chai 500ml", 90_000),
        ("Nước cốt chanh leo", "chai 500ml", 75_000),
    ],
    3: [
        ("Ba kích tím", "kg", 400_000),
        ("Dầu sở", "chai 250ml", 130_000),
        ("Tinh dầu quế", "lọ 10ml", 85_000),
        ("Nấm linh chi", "hộp 200g", 550_000),
        ("Cao xạ đen", "hộp 100g", 260_000),
        ("Trà giảo cổ lam", "hộp 100g", 95_000),
        ("Sâm Bố Chính", "hộp 100g", 800_000),
    ],
    4: [
        ("Gốm", "bộ ấm chén", 650_000),
        ("Nón lá", "chiếc", 70_000),
        ("Giỏ mây tre đan", "chiếc", 180_000),
        ("Tranh than đá", "bức 40x60", 1_200_000),
        ("Khăn thêu thổ cẩm", "chiếc", 240_000),
        ("Túi cói", "chiếc", 150_000),
    ],
    5: [
        ("Lan rừng", "chậu", 350_000),
        ("Cây cảnh bonsai", "chậu", 1_500_000),
        ("Đào thất thốn", "cây", 900_000),
    ],
    6: [
        ("Tour du lịch cộng đồng", "suất", 1_200_000),
        ("Homestay bản", "đêm", 600_000),
        ("Trải nghiệm làng nghề", "suất", 250_000),
    ],
}

HOLDER_WORDS = [
    "Nông sản",
    "Thủy sản",
    "Dược liệu",
    "Đặc sản",
    "Sinh thái",
    "Thảo mộc",
    "Làng nghề",
    "Xanh",
    "Sạch",
    "Miền núi",
    "Biển",
    "Thịnh Phát",
    "An Khang",
    "Phúc Lộc",
    "Hưng Thịnh",
]
PEOPLE = [
    "Nguyễn Thị Hoa",
    "Trần Văn Bình",
    "Lê Thị Mai",
    "Phạm Văn Đức",
    "Hoàng Thị Lan",
    "Vũ Văn Hùng",
    "Đặng Thị Thu",
    "Bùi Văn Nam",
    "Đỗ Thị Hằng",
    "Ngô Văn Long",
    "Dương Thị Yến",
    "Lý Văn Sơn",
]
