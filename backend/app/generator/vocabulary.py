"""Words and figures the demo data generator draws from.

Category names, price levels, state tax rates, payment shares and quantity shares follow
the 5,000-order sample of the data contract; brands and product types are plausible
stand-ins per category. Seasonal shapes give each category's relative demand per month.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategoryProfile:
    """How one category sells: its share of orders, prices, season, trend and lead time."""

    name: str
    order_share: float
    median_price: float
    price_spread: float  # sigma of log price
    monthly_season: tuple[float, ...]  # Jan..Dec demand multipliers
    yearly_growth: float  # demand multiplier per year (1.0 flat)
    lead_time_days: int
    cost_ratio: float  # unit cost as a share of list price
    return_rate: float
    brands: tuple[str, ...]
    product_types: tuple[str, ...]


CATEGORIES: tuple[CategoryProfile, ...] = (
    CategoryProfile(
        "Electronics", 0.10, 160.0, 1.0,
        (0.85, 0.80, 0.85, 0.85, 0.90, 0.90, 1.05, 0.95, 0.95, 1.00, 1.45, 1.75), 1.08, 21, 0.72, 0.025,
        ("Anker", "Apple", "Bose", "Fitbit", "Garmin", "JBL", "Logitech", "Samsung", "Sony", "TP-Link", "Roku",
         "Kindle"),
        ("Wireless Earbuds", "Bluetooth Speaker", "Smartwatch", "USB-C Charger", "Power Bank", "Webcam", "Router",
         "Streaming Stick", "Tablet", "Noise-Cancelling Headphones", "Fitness Tracker", "Keyboard", "Wireless Mouse",
         "Smart Display", "E-Reader"),
    ),
    CategoryProfile(
        "Home & Kitchen", 0.10, 90.0, 0.9,
        (0.85, 0.85, 0.90, 0.95, 1.00, 0.95, 1.05, 0.95, 0.95, 1.00, 1.25, 1.45), 1.04, 14, 0.55, 0.015,
        ("KitchenAid", "Keurig", "Lodge", "Ninja", "Pyrex", "iRobot", "Cuisinart", "OXO", "Instant Pot", "Dyson",
         "Le Creuset", "Hamilton Beach"),
        ("Coffee Maker", "Cast Iron Skillet", "Blender", "Air Fryer", "Food Storage Set", "Robot Vacuum", "Stand Mixer",
         "Knife Set", "Pressure Cooker", "Toaster", "Dutch Oven", "Kettle", "Cutting Board", "Measuring Cups"),
    ),
    CategoryProfile(
        "Sports & Fitness", 0.12, 70.0, 1.1,
        (1.15, 1.00, 1.05, 1.10, 1.15, 1.15, 1.05, 0.95, 0.85, 0.80, 0.85, 1.00), 1.05, 14, 0.55, 0.015,
        ("Bowflex", "Gaiam", "Hydro Flask", "Manduka", "TRX", "Fitbit", "Nike", "Under Armour", "Coleman", "Yeti",
         "Theragun", "CamelBak"),
        ("Yoga Mat", "Adjustable Dumbbells", "Resistance Bands", "Water Bottle", "Foam Roller", "Jump Rope",
         "Kettlebell", "Massage Gun", "Suspension Trainer", "Camping Tent", "Cooler", "Hydration Pack",
         "Exercise Bike"),
    ),
    CategoryProfile(
        "Office Products", 0.12, 45.0, 1.1,
        (1.30, 1.05, 0.95, 0.85, 0.85, 0.80, 1.00, 1.55, 1.50, 0.95, 0.90, 0.85), 1.00, 10, 0.50, 0.010,
        ("BIC", "Epson", "HP", "Rocketbook", "Steelcase", "Post-it", "Sharpie", "Moleskine", "Brother", "Fellowes",
         "Logitech", "Pilot"),
        ("Gel Pens 12-Pack", "Printer Ink", "Smart Notebook", "Office Chair", "Sticky Notes", "Desk Organizer",
         "Label Maker", "Paper Shredder", "Monitor Stand", "Whiteboard", "Stapler", "Planner", "Highlighters"),
    ),
    CategoryProfile(
        "Health & Personal Care", 0.11, 28.0, 0.8,
        (1.40, 1.25, 1.00, 0.90, 0.85, 0.80, 0.80, 0.85, 0.95, 1.05, 1.15, 1.30), 1.06, 10, 0.45, 0.010,
        ("Aveeno", "Neutrogena", "Oral-B", "Philips", "Vicks", "CeraVe", "Braun", "Nature Made", "Cetaphil", "Dove",
         "Olay", "Listerine"),
        ("Moisturizer", "Electric Toothbrush", "Vitamin D3", "Humidifier", "Sunscreen SPF 50", "Face Wash",
         "Electric Shaver", "Multivitamin", "Hand Cream", "Thermometer", "Lip Balm", "Mouthwash", "Shampoo"),
    ),
    CategoryProfile(
        "Toys & Games", 0.10, 28.0, 0.8,
        (0.65, 0.65, 0.70, 0.75, 0.75, 0.75, 0.85, 0.80, 0.85, 1.00, 1.65, 2.55), 1.03, 21, 0.50, 0.015,
        ("LEGO", "Mattel", "Hasbro", "Exploding Kittens", "Melissa & Doug", "Ravensburger", "Fisher-Price", "Nerf",
         "Hot Wheels", "Kellytoy", "Crayola", "Funko"),
        ("Building Set", "Board Game", "Card Game", "Jigsaw Puzzle 1000 pc", "Plush Toy", "Action Figure",
         "Art Kit", "Foam Blaster", "Die-Cast Car Set", "Dollhouse", "Wooden Blocks", "STEM Kit", "Ride-On Toy"),
    ),
    CategoryProfile(
        "Tools & Home Improvement", 0.09, 110.0, 0.7,
        (0.80, 0.85, 1.05, 1.20, 1.25, 1.15, 1.05, 1.00, 0.95, 0.90, 0.95, 1.05), 1.02, 14, 0.60, 0.010,
        ("DEWALT", "Black+Decker", "Bosch", "Makita", "Milwaukee", "Ryobi", "Stanley", "Lutron", "August", "Ring",
         "Craftsman", "Kobalt"),
        ("Cordless Drill", "Circular Saw", "Tool Set", "Smart Lock", "Dimmer Switch", "Video Doorbell", "Shop Vacuum",
         "Tape Measure", "Work Light", "Impact Driver", "Stud Finder", "Ladder", "Leaf Blower"),
    ),
    CategoryProfile(
        "Grocery & Gourmet Food", 0.09, 13.0, 0.5,
        (1.05, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 1.00, 1.15, 1.20), 1.07, 7, 0.65, 0.005,
        ("Clif Bar", "Blue Diamond", "Huy Fong", "Quaker", "Lindt", "Starbucks", "Kind", "Nature Valley", "Lavazza",
         "Ghirardelli", "McCormick", "Bob's Red Mill"),
        ("Energy Bars 12-Pack", "Almonds", "Sriracha Sauce", "Oatmeal", "Dark Chocolate", "Ground Coffee",
         "Granola", "Espresso Beans", "Baking Cocoa", "Spice Set", "Flour", "Trail Mix", "Tea Sampler"),
    ),
    CategoryProfile(
        "Books & Media", 0.09, 16.0, 0.25,
        (1.10, 0.90, 0.90, 0.90, 0.95, 1.05, 1.05, 1.05, 0.95, 0.95, 1.05, 1.35), 0.94, 7, 0.55, 0.010,
        ("Penguin", "HarperCollins", "Random House", "Simon & Schuster", "Scholastic", "Hachette", "Macmillan",
         "Del Rey", "Tor", "Vintage", "Knopf", "Little, Brown"),
        ("Mystery Novel", "Cookbook", "Biography", "Science Fiction Novel", "Self-Help Book", "Children's Picture Book",
         "History Book", "Fantasy Novel", "Travel Guide", "Poetry Collection", "Graphic Novel", "Audiobook CD"),
    ),
    CategoryProfile(
        "Clothing & Fashion", 0.08, 50.0, 0.7,
        (0.90, 0.85, 1.00, 1.05, 1.05, 1.00, 0.95, 1.05, 1.00, 1.00, 1.15, 1.30), 1.05, 21, 0.45, 0.035,
        ("Nike", "Adidas", "Levi's", "Carhartt", "Crocs", "Ray-Ban", "Calvin Klein", "Columbia", "Patagonia",
         "Hanes", "New Balance", "The North Face"),
        ("Running Shoes", "Jeans", "Hoodie", "Beanie", "Clogs", "Sunglasses", "T-Shirt 3-Pack", "Rain Jacket",
         "Fleece Vest", "Socks 6-Pack", "Sneakers", "Puffer Jacket", "Baseball Cap"),
    ),
)  # fmt: skip

VARIANTS = ("", "Pro", "Mini", "Plus", "2nd Gen", "XL", "Lite", "Max", "Classic", "Sport")

CITIES_BY_STATE: dict[str, tuple[str, ...]] = {
    "AZ": ("Phoenix", "Tucson", "Mesa", "Scottsdale"),
    "CA": ("San Diego", "San Jose", "Sacramento", "San Francisco", "Los Angeles"),
    "FL": ("Miami", "Tampa", "Orlando", "Jacksonville"),
    "GA": ("Atlanta", "Savannah", "Augusta", "Macon"),
    "IL": ("Chicago", "Naperville", "Rockford", "Aurora"),
    "MA": ("Boston", "Worcester", "Cambridge", "Springfield"),
    "MI": ("Detroit", "Grand Rapids", "Lansing", "Ann Arbor"),
    "NC": ("Charlotte", "Raleigh", "Durham", "Greensboro"),
    "NH": ("Manchester", "Nashua", "Concord"),
    "NJ": ("Newark", "Jersey City", "Paterson", "Trenton"),
    "NY": ("New York", "Buffalo", "Rochester", "Albany"),
    "OH": ("Columbus", "Cincinnati", "Akron", "Cleveland"),
    "OR": ("Portland", "Salem", "Eugene"),
    "PA": ("Philadelphia", "Pittsburgh", "Allentown", "Reading"),
    "TN": ("Nashville", "Memphis", "Knoxville"),
    "TX": ("Houston", "Dallas", "Austin", "San Antonio", "Fort Worth"),
    "VA": ("Richmond", "Virginia Beach", "Norfolk", "Arlington"),
    "WA": ("Seattle", "Tacoma", "Spokane", "Bellevue"),
}

# Combined state and typical local sales tax, as the sample's Tax column implies.
TAX_RATE_BY_STATE: dict[str, float] = {
    "AZ": 0.084, "CA": 0.0925, "FL": 0.07, "GA": 0.08, "IL": 0.1025, "MA": 0.0625, "MI": 0.06, "NC": 0.07,
    "NH": 0.0, "NJ": 0.06625, "NY": 0.08875, "OH": 0.075, "OR": 0.0, "PA": 0.06, "TN": 0.095, "TX": 0.0825,
    "VA": 0.053, "WA": 0.095,
}  # fmt: skip

FIRST_NAMES = (
    "James", "Mary", "Michael", "Patricia", "Robert", "Jennifer", "John", "Linda", "David", "Elizabeth", "William",
    "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Carlos", "Karen", "Daniel", "Lisa",
    "Matthew", "Nancy", "Anthony", "Sandra", "Mark", "Ashley", "Priya", "Emily", "Wei", "Maria", "Kevin", "Aisha",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Perez", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Patel", "Nguyen", "Kim",
)  # fmt: skip

PAYMENT_METHODS = ("Credit Card", "Debit Card", "PayPal", "Apple Pay", "BNPL", "Google Pay", "Other")
PAYMENT_SHARES = (0.562, 0.217, 0.109, 0.044, 0.029, 0.020, 0.019)
QUANTITY_SHARES = (0.59, 0.16, 0.155, 0.03, 0.033, 0.032)  # 1..6 units
SHIPPING_RATES = (4.99, 5.99, 7.49, 7.99, 8.99, 9.99, 11.24)
FREE_SHIPPING_FROM = 35.0
