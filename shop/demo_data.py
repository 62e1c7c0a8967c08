"""What the demo store sells: three cooperatives of Thái Nguyên (the former Bắc Kạn).

Names, places and prices are realistic but made up; each cooperative is named
after what it shows in the demo.
"""

PROVINCE_CODE = "19"  # Thái Nguyên, which took in Bắc Kạn on 1 July 2025
DEMO_PASSWORD = "chophien-demo"

CATEGORIES = [
    "Gạo & ngũ cốc",
    "Miến & bún khô",
    "Mật ong",
    "Chè",
    "Măng & rau rừng",
    "Trái cây",
    "Gia vị & tinh bột",
    "Thịt & cá khô",
]

# slug, name, commune, phone, short description, description
COOPERATIVES = [
    {
        "slug": "htx-ba-be-xanh",
        "name": "HTX Nông sản Ba Bể Xanh",
        "commune": "Xã Ba Bể",
        "address_line": "Thôn Pác Ngòi",
        "phone": "0912345678",
        "zalo_phone": "0912345678",
        "email": "babexanh@example.vn",
        "tax_code": "4700281234",
        "founded_year": 2016,
        "member_count": 26,
        "bank_bin": "970405",  # Agribank, the bank with a branch in every district
        "bank_account_number": "8300205123456",
        "bank_account_holder": "HTX NONG SAN BA BE XANH",
        "short_description": "Gạo bao thai, măng khô và mật ong rừng quanh hồ Ba Bể.",
        "description": (
            "Hai mươi sáu hộ người Tày quanh hồ Ba Bể cùng trồng lúa bao thai trên ruộng bậc "
            "thang, hái măng rừng và nuôi ong dưới tán rừng nguyên sinh. Hợp tác xã đóng gói "
            "và gửi hàng mỗi sáng thứ Hai và thứ Năm."
        ),
        "free_above": 500000,
        "manager": ("quanly.babe@example.vn", "Hoàng Thị Lan"),
    },
    {
        "slug": "htx-che-shan-tuyet-cho-don",
        "name": "HTX Chè Shan tuyết Chợ Đồn",
        "commune": "Xã Chợ Đồn",
        "address_line": "Bản Phya Khao",
        "phone": "0987654321",
        "zalo_phone": "0987654321",
        "email": "cheshan.chodon@example.vn",
        "tax_code": "4700312345",
        "founded_year": 2019,
        "member_count": 41,
        "bank_bin": "970422",  # MB
        "bank_account_number": "0987654321001",
        "bank_account_holder": "HTX CHE SHAN TUYET CHO DON",
        "short_description": "Chè Shan tuyết cổ thụ hái tay trên núi Phja Khao, sao trên chảo gang.",
        "description": (
            "Những cây chè Shan tuyết hàng trăm năm tuổi mọc ở độ cao hơn 1.000 mét. Các xã "
            "viên người Dao hái một tôm hai lá, sao chè thủ công và ủ tinh bột nghệ từ nghệ "
            "nếp trồng xen."
        ),
        "min_order_value": 100000,
        "offers_pickup": True,
        "pickup_instructions": "Thứ Hai đến thứ Bảy, 7:00–17:00, hỏi chị Phú ở xưởng chè.",
        "manager": ("quanly.chodon@example.vn", "Triệu Văn Phú"),
    },
    {
        "slug": "htx-mien-dong-bach-thong",
        "name": "HTX Miến dong Bạch Thông",
        "commune": "Xã Bạch Thông",
        "address_line": "Thôn Nà Pài",
        "phone": "0868123456",
        "zalo_phone": "0868123456",
        "email": "miendong.bachthong@example.vn",
        "tax_code": "4700298765",
        "founded_year": 2012,
        "member_count": 30,
        "bank_bin": "970415",  # VietinBank
        "bank_account_number": "108002345678",
        "bank_account_holder": "HTX MIEN DONG BACH THONG",
        "short_description": "Miến dong phơi nắng, hồng không hạt và đặc sản sấy khô.",
        "description": (
            "Củ dong riềng trồng trên nương được xay, lọc tinh bột và tráng miến thủ công, "
            "phơi trên giàn tre. Mùa thu xã viên thu hái hồng không hạt Quang Thuận."
        ),
        "offers_pickup": True,
        "pickup_instructions": "Sáng các ngày trong tuần, tại nhà xưởng miến.",
        "manager": ("quanly.bachthong@example.vn", "Lường Văn Minh"),
    },
]

# Delivery by parcel service, as a cooperative quotes it: (up to kg, charge in đồng).
SHIPPING_BANDS = [(1, 30000), (3, 40000), (5, 50000), (10, 70000)]

# cooperative slug -> [(title, category, price in đồng, stock, description)],
# one product a line, like the cooperative's own price list.
# fmt: off
PRODUCTS = {
    "htx-ba-be-xanh": [
        ("Gạo bao thai Ba Bể túi 5 kg", "Gạo & ngũ cốc", 125000, 80, "Gạo bao thai hạt nhỏ, cơm dẻo thơm, trồng một vụ trên ruộng bậc thang."),
        ("Gạo nếp vải Ba Bể túi 2 kg", "Gạo & ngũ cốc", 90000, 50, "Nếp vải hạt tròn, đồ xôi dẻo, gói bánh chưng ngày Tết."),
        ("Gạo nếp cẩm túi 1 kg", "Gạo & ngũ cốc", 65000, 40, "Nếp cẩm tím làm xôi, rượu nếp cẩm và sữa chua nếp cẩm."),
        ("Măng vầu khô gói 500 g", "Măng & rau rừng", 150000, 60, "Măng vầu rừng luộc kỹ, phơi củi, ngâm nở nấu canh, xào thịt."),
        ("Măng nứa khô gói 300 g", "Măng & rau rừng", 95000, 45, "Măng nứa non, sợi nhỏ, hợp hầm xương và nấu miến."),
        ("Mật ong rừng Ba Bể chai 500 ml", "Mật ong", 280000, 30, "Mật ong hoa rừng, khai thác tự nhiên, không pha đường."),
        ("Mật ong hoa bạc hà chai 250 ml", "Mật ong", 180000, 25, "Mật ong mùa hoa bạc hà cuối thu, vị thanh, mùi thơm nhẹ."),
        ("Cá mát hồ Ba Bể sấy khô gói 300 g", "Thịt & cá khô", 220000, 20, "Cá mát đánh bắt ở hồ Ba Bể, sấy khô, chiên giòn hoặc nướng."),
        ("Thịt trâu gác bếp gói 500 g", "Thịt & cá khô", 450000, 15, "Thịt trâu tẩm mắc khén, treo gác bếp, hút chân không."),
        ("Rau bò khai khô gói 200 g", "Măng & rau rừng", 70000, 35, "Rau bò khai rừng, sấy lạnh giữ màu xanh, xào tỏi."),
        ("Trám đen ướp muối hũ 500 g", "Trái cây", 85000, 30, "Trám đen ủ muối, ăn với xôi hoặc kho cá."),
        ("Bột sắn dây túi 500 g", "Gia vị & tinh bột", 110000, 40, "Sắn dây lọc tinh bột nhiều lần, pha nước mát ngày hè."),
        ("Hạt dẻ Trùng Khánh rang túi 500 g", "Trái cây", 120000, 0, "Hạt dẻ rang cát, bùi ngọt. Hết hàng đến mùa thu năm sau."),
        ("Lạc đỏ Ba Bể túi 1 kg", "Gạo & ngũ cốc", 75000, 55, "Lạc vỏ đỏ hạt nhỏ, rang muối hoặc làm muối vừng."),
    ],
    "htx-che-shan-tuyet-cho-don": [
        ("Chè Shan tuyết Phja Khao hộp 200 g", "Chè", 320000, 40, "Chè búp Shan tuyết cổ thụ, nước xanh vàng, hậu ngọt."),
        ("Chè Shan tuyết túi 500 g", "Chè", 650000, 25, "Chè búp sao tay, đóng túi zip hai lớp."),
        ("Chè Shan tuyết hồng trà hộp 100 g", "Chè", 240000, 20, "Lá chè Shan tuyết lên men, vị mật ong, uống nóng hay pha lạnh đều ngon."),
        ("Trà hoa chè Shan tuyết hộp 50 g", "Chè", 190000, 15, "Hoa chè phơi khô, pha trà thanh mát, dễ ngủ."),
        ("Tinh bột nghệ nếp Chợ Đồn hũ 200 g", "Gia vị & tinh bột", 260000, 35, "Nghệ nếp vàng đậm, lọc bỏ tinh dầu, pha với mật ong và sữa."),
        ("Tinh bột nghệ đỏ hũ 500 g", "Gia vị & tinh bột", 520000, 12, "Nghệ đỏ lọc nhiều lần, dùng nấu ăn và làm đẹp."),
        ("Mắc khén rừng túi 100 g", "Gia vị & tinh bột", 60000, 60, "Hạt mắc khén rừng, mùi thơm tê nhẹ, ướp thịt nướng."),
        ("Hạt dổi rừng túi 100 g", "Gia vị & tinh bột", 140000, 30, "Hạt dổi nướng giã với muối, chấm thịt luộc, xôi."),
        ("Gừng gió khô túi 200 g", "Gia vị & tinh bột", 80000, 30, "Gừng gió thái lát phơi khô, pha trà ấm bụng."),
        ("Mật ong hoa chè chai 500 ml", "Mật ong", 240000, 20, "Mật ong lấy từ hoa chè Shan tuyết, màu vàng sáng."),
        ("Nấm hương rừng khô túi 200 g", "Măng & rau rừng", 170000, 25, "Nấm hương mọc trên thân gỗ mục, mũ dày, thơm đậm."),
        ("Mộc nhĩ rừng túi 300 g", "Măng & rau rừng", 90000, 40, "Mộc nhĩ tai mèo phơi nắng, giòn khi xào."),
        ("Lạp sườn Chợ Đồn gói 500 g", "Thịt & cá khô", 190000, 18, "Lạp sườn thịt lợn bản, tẩm rượu ngô men lá, hun khói."),
    ],
    "htx-mien-dong-bach-thong": [
        ("Miến dong Bạch Thông gói 500 g", "Miến & bún khô", 75000, 120, "Miến dong riềng nguyên chất, sợi dai, không chất tẩy trắng."),
        ("Miến dong Bạch Thông gói 1 kg", "Miến & bún khô", 140000, 80, "Miến dong tráng thủ công, phơi nắng trên giàn tre."),
        ("Miến dong sợi nhỏ gói 300 g", "Miến & bún khô", 50000, 90, "Sợi nhỏ, chín nhanh, hợp nấu canh và trộn gỏi."),
        ("Bún khô gạo bao thai gói 500 g", "Miến & bún khô", 45000, 70, "Bún khô làm từ gạo bao thai, luộc ba phút là ăn được."),
        ("Phở khô Bạch Thông gói 500 g", "Miến & bún khô", 45000, 65, "Bánh phở khô sợi mảnh, trắng ngà tự nhiên."),
        ("Bánh đa nếp gói 10 chiếc", "Miến & bún khô", 60000, 50, "Bánh đa nếp vừng đen, nướng than hoa."),
        ("Hồng không hạt Quang Thuận hộp 2 kg", "Trái cây", 160000, 30, "Hồng giòn không hạt, chín cây, mùa thu hoạch tháng 9 đến tháng 11."),
        ("Hồng sấy dẻo túi 500 g", "Trái cây", 190000, 25, "Hồng không hạt sấy dẻo, ngọt tự nhiên, không đường."),
        ("Quýt Bắc Sơn túi 3 kg", "Trái cây", 150000, 20, "Quýt vỏ mỏng, mọng nước, chín tháng 11 đến Tết."),
        ("Tinh bột dong riềng túi 1 kg", "Gia vị & tinh bột", 70000, 45, "Bột dong riềng lọc trắng, làm bánh, nấu chè, thay bột năng."),
        ("Mật ong hoa keo chai 500 ml", "Mật ong", 160000, 30, "Mật ong mùa hoa keo, vị ngọt dịu, hợp pha chanh."),
        ("Chè xanh Bạch Thông túi 300 g", "Chè", 110000, 35, "Chè xanh đồi thấp, sao máy, nước xanh trong."),
        ("Cá suối nướng khô gói 250 g", "Thịt & cá khô", 170000, 15, "Cá suối kẹp tre nướng than, sấy khô, hút chân không."),
        ("Tương bần Bạch Thông chai 500 ml", "Gia vị & tinh bột", 55000, 40, "Tương đỗ tương ủ chum, chấm rau luộc và thịt."),
    ],
}
# fmt: on

# First words of a title -> months it is harvested or made (1-12).
SEASONS = [
    ("Hồng", [9, 10, 11]),
    ("Quýt", [11, 12, 1]),
    ("Hạt dẻ", [9, 10]),
    ("Trám", [7, 8, 9]),
    ("Chè", [3, 4, 5, 6, 7, 8, 9, 10]),
    ("Trà hoa", [11, 12]),
    ("Mật ong", [3, 4, 5, 11]),
    ("Măng", [5, 6, 7, 8, 9]),
    ("Gạo", [10, 11]),
    ("Miến", [11, 12, 1, 2]),
    ("Tinh bột", [11, 12, 1]),
    ("Nấm", [2, 3, 4]),
]

# title -> (stars, certificate number, years since recognition, days the certificate has left)
OCOP = {
    "Miến dong Bạch Thông gói 500 g": (4, "OCOP-TN-2025-0412", 1, 700),
    "Chè Shan tuyết Phja Khao hộp 200 g": (4, "OCOP-TN-2024-0218", 2, 330),
    "Mật ong rừng Ba Bể chai 500 ml": (3, "OCOP-BK-2024-0107", 2, 300),
    "Tinh bột nghệ nếp Chợ Đồn hũ 200 g": (3, "OCOP-BK-2023-0093", 3, 40),  # staff see it expiring
    "Gạo bao thai Ba Bể túi 5 kg": (3, "OCOP-BK-2022-0031", 3, -30),  # expired: no badge
}

# title -> [(kind, certificate number, issued by)]
CERTIFICATIONS = {
    "Gạo bao thai Ba Bể túi 5 kg": [("vietgap", "VG-BK-0231", "Trung tâm Khuyến nông Bắc Kạn")],
    "Chè Shan tuyết Phja Khao hộp 200 g": [
        ("vietgap", "VG-TN-1187", "Công ty Chứng nhận Quốc tế ICA"),
        ("organic", "HC-TN-0042", "Công ty Chứng nhận Quốc tế ICA"),
    ],
    "Chè Shan tuyết túi 500 g": [("vietgap", "VG-TN-1187", "Công ty Chứng nhận Quốc tế ICA")],
    "Mật ong rừng Ba Bể chai 500 ml": [("pgs", "PGS-BK-017", "Nhóm PGS Ba Bể")],
    "Miến dong Bạch Thông gói 500 g": [("haccp", "HACCP-TN-0077", "Quacert")],
}

# Every block type appears in at least one story: paragraphs, an image with caption, a
# quote, a video, a product card, a product row and a cooperative card. Products are
# named by title (they are looked up, never copied into the story).
STORIES = [
    {
        "slug": "nhung-soi-mien-phoi-nang",
        "title": "Những sợi miến phơi nắng ở Bạch Thông",
        "cooperative": "htx-mien-dong-bach-thong",
        "author": "Đặng Minh Thu",
        "tags": ["miến dong", "mùa thu hoạch"],
        "intro": "Mỗi mẻ miến dong cần ba ngày nắng và đôi tay của cả thôn.",
        "paragraphs": [
            "Tháng Mười, khi củ dong riềng đã già, cả thôn Nà Pài cùng xuống nương. Củ được rửa sạch, "
            "xay nhỏ và lọc lấy tinh bột trắng mịn.",
            "Bột được tráng thành bánh mỏng, phơi một nắng rồi thái sợi. Không chất tẩy trắng, không "
            "phụ gia: sợi miến có màu vàng nhạt của củ dong.",
            "Hợp tác xã hiện có ba mươi hộ xã viên, mỗi năm làm ra khoảng mười lăm tấn miến.",
        ],
        "image_caption": "Miến phơi trên giàn tre ở thôn Nà Pài.",
        "quote": (
            "Nắng to thì miến giòn, trời âm thì cả thôn ngồi chờ.",
            "Bà Hoàng Thị Lan, xã viên",
        ),
        "video": "https://www.youtube.com/watch?v=chophien01",
        "product_card": "Miến dong Bạch Thông gói 500 g",
        "product_row": [
            "Miến dong Bạch Thông gói 1 kg",
            "Miến dong sợi nhỏ gói 300 g",
            "Phở khô Bạch Thông gói 500 g",
        ],
    },
    {
        "slug": "che-co-thu-tren-nui-phja-khao",
        "title": "Chè cổ thụ trên núi Phja Khao",
        "cooperative": "htx-che-shan-tuyet-cho-don",
        "author": "Đặng Minh Thu",
        "tags": ["chè", "người Dao"],
        "intro": "Người Dao ở Chợ Đồn giữ những cây chè Shan tuyết đã sống hơn trăm năm.",
        "paragraphs": [
            "Ở độ cao hơn một nghìn mét, sương mù phủ đồi chè gần như quanh năm. Thân cây phủ một lớp "
            "rêu trắng, vì thế người ta gọi là chè Shan tuyết.",
            "Búp chè được hái tay vào sáng sớm, sao trên chảo gang và vò bằng tay. Một cân chè khô cần "
            "gần năm cân búp tươi.",
        ],
        "image_caption": "Cây chè Shan tuyết hơn trăm tuổi trên sườn Phja Khao.",
        "quote": ("Cây chè này ông tôi trồng, giờ cháu tôi hái.", "Ông Triệu Văn Sơn"),
        "product_card": "Chè Shan tuyết Phja Khao hộp 200 g",
        "product_row": ["Chè Shan tuyết hồng trà hộp 100 g", "Trà hoa chè Shan tuyết hộp 50 g"],
    },
    {
        "slug": "mat-ong-rung-ba-be",
        "title": "Mùa mật ong rừng quanh hồ Ba Bể",
        "cooperative": "htx-ba-be-xanh",
        "author": "Đặng Minh Thu",
        "tags": ["mật ong", "mùa thu hoạch"],
        "intro": "Tháng Ba, hoa rừng nở và những người nuôi ong dọn thùng chờ mật.",
        "paragraphs": [
            "Đàn ong được nuôi trong thùng gỗ đặt dưới tán rừng quanh hồ. Ong tự kiếm hoa, không cho "
            "ăn đường.",
            "Mỗi năm chỉ quay mật hai lần, sau khi nắp sáp đã phủ kín cầu mật.",
        ],
        "image_caption": "Cầu mật vừa lấy ra khỏi thùng.",
        "quote": ("Mật thật thì để tủ lạnh sẽ đông lại, không phải hỏng.", "Anh Ma Văn Toàn"),
        "product_card": "Mật ong rừng Ba Bể chai 500 ml",
        "product_row": ["Mật ong hoa bạc hà chai 250 ml", "Măng vầu khô gói 500 g"],
        "days_before": 30,
    },
    {
        "slug": "gio-qua-tet-tu-ba-hop-tac-xa",
        "title": "Giỏ quà Tết từ ba hợp tác xã",
        "cooperative": "htx-ba-be-xanh",
        "other_cooperatives": ["htx-che-shan-tuyet-cho-don", "htx-mien-dong-bach-thong"],
        "author": "Đặng Minh Thu",
        "tags": ["quà Tết"],
        "intro": "Gạo nếp, chè và miến: một mâm cỗ Tết từ vùng cao Thái Nguyên.",
        "paragraphs": [
            "Ba hợp tác xã cùng chọn những sản phẩm làm nên mâm cỗ ngày Tết của người vùng cao.",
        ],
        "image_caption": "Giỏ quà Tết đan bằng tre.",
        "quote": ("Quà Tết quê mình thì phải có nếp mới.", "Chị Nông Thị Hoa"),
        "product_card": "Gạo nếp vải Ba Bể túi 2 kg",
        "product_row": [
            "Chè Shan tuyết túi 500 g",
            "Miến dong Bạch Thông gói 1 kg",
            "Hồng sấy dẻo túi 500 g",
        ],
        "days_before": 60,
    },
]

# A video link is answered by its provider over the internet; the demo keeps a stored
# answer so that the story plays offline too (youtube-nocookie, no tracking).
DEMO_VIDEO_HTML = (
    '<iframe width="800" height="450" src="https://www.youtube-nocookie.com/embed/chophien01" '
    'title="Làm miến dong ở Bạch Thông" frameborder="0" allowfullscreen></iframe>'
)

HOME = {
    "hero_title": "Đặc sản vùng cao, từ tay người làm ra",
    "hero_text": "Mua trực tiếp từ các hợp tác xã Thái Nguyên. Thanh toán khi nhận hàng.",
    "hero_link_url": "/shop/catalogue/",
    "hero_link_text": "Xem tất cả sản phẩm",
    "intro": "<p>Đặc sản của các hợp tác xã vùng cao Thái Nguyên, giao tận nhà. "
    "Thanh toán khi nhận hàng.</p>",
    "featured_products": [
        "Miến dong Bạch Thông gói 500 g",
        "Chè Shan tuyết Phja Khao hộp 200 g",
        "Mật ong rừng Ba Bể chai 500 ml",
        "Gạo nếp vải Ba Bể túi 2 kg",
        "Tinh bột nghệ nếp Chợ Đồn hũ 200 g",
        "Hồng không hạt Quang Thuận hộp 2 kg",
        "Măng vầu khô gói 500 g",
        "Mắc khén rừng túi 100 g",
    ],
}

CAMPAIGN = {
    "slug": "gio-qua-tet",
    "title": "Giỏ quà Tết vùng cao",
    "intro": "Đặt quà Tết từ các hợp tác xã: gạo nếp, chè, miến và mật ong.",
    "paragraph": "Đơn đặt trước ngày 20 tháng Chạp được giao kịp trước Tết.",
    "products": [
        "Gạo nếp vải Ba Bể túi 2 kg",
        "Chè Shan tuyết túi 500 g",
        "Miến dong Bạch Thông gói 1 kg",
        "Mật ong rừng Ba Bể chai 500 ml",
    ],
}

# email, full name, role; managers are added from COOPERATIVES above.
USERS = [
    ("khach@example.vn", "Nguyễn Thị Mai", "shopper"),
    ("bientap@example.vn", "Đặng Minh Thu", "editor"),
    ("kiemduyet@example.vn", "Lương Văn Đức", "moderator"),
    ("admin@example.vn", "Phạm Quốc Huy", "staff"),
]
