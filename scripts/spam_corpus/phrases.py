"""The words Gazette's comment corpus is made of: readers' names and sentences,
and the templates spam is cut from. All written for Gazette; see generate.py."""

# --- Readers: names, addresses and their own little websites -------------------

FIRST_NAMES = """Anna Ben Chloe Dev Elena Farid Greta Hugo Ines Jonas Kemi Lars Maya
Niall Olga Priya Quentin Rosa Sami Tove Umar Vera Wes Xiao Yusuf Zoe Agnes Bram Carmen
Dmitri Edith Felix Gwen Hamid Isla Joao Katya Leon Marta Noor Oskar Pilar Rhys Saoirse
Tomasz Ulla Viktor Wren Aiko Bernard Cleo Dara Emeka Fenna Gil Hattie Ivo Jude Kasia
Lotte Malik Nell Orla Pavel Ruth Stellan Tamsin Uri Valentina Wilf Yara""".split()
LAST_NAMES = """Ahmed Baker Costa Dubois Evans Fischer Garcia Holm Ito Jansen Kowalski
Lindqvist Murphy Novak Okafor Petrov Quinn Rossi Silva Tanaka Umeh Varga Walsh Young
Ziegler Moreau Brennan Haddad Lund Sato""".split()
HANDLES = """hillwalker_mo breadhead ozzy_the_cyclist nightowl_astro tomato_tom
knitwit88 rustacean_rae birder_bex quietreader mapnerd coffee_snob_jo potterpat
trailmix lazy_linguist pixelpusher""".split()
MAIL_DOMAINS = """gmail.com posteo.de fastmail.com outlook.com proton.me icloud.com
yahoo.co.uk hey.com mailbox.org web.de orange.fr""".split()
SITE_WORDS = """notes walks kitchen garden sky field journal pages sketchbook diary
letters workshop corner log days loaves lens trails""".split()
SITE_TLDS = ["net", "org", "com", "blog", "uk", "de", "fr", "nl", "me"]

# --- Ham: what readers of a personal blog actually write ------------------------

SHORT_HAM = [
    "Thanks, that worked!",
    "Ha, same here.",
    "Lovely.",
    "What a view. Worth the early start, I'd say.",
    "Bookmarked for the weekend.",
    "This made my morning.",
    "Good point, I hadn't thought about the wind direction.",
    "Seconded!",
    "I laughed out loud at the bit about the sheep.",
    "Thank you for writing this up so clearly.",
    "Oh, I remember that place from years ago.",
    "Could you share the recipe for the rye version too?",
    "How long did it take you in the end?",
    "That last photo is my favourite.",
    "My grandmother used to say exactly the same thing.",
    "Fair enough, I stand corrected.",
    "Brilliant, thanks for the tip.",
    "Is the footpath open again after the floods?",
    "Great post, thanks for sharing.",
    "Nice one!",
    "I needed to read this today.",
    "Sorry, I meant the second bridge, not the first.",
    "Welcome back! It has been a while.",
    "Hope the knee is better now.",
    "Agree with every word.",
    "Not sure I agree, but it's well argued.",
    "Happy birthday to the blog!",
    "The link in the third paragraph seems to be broken.",
    "Typo in the title, by the way: 'recieve'.",
    "Which camera was this?",
    "So jealous of that weather.",
    "You have convinced me to try it.",
    "Thanks for the reply, that makes sense now.",
    "I'll report back once I've tried it.",
    "Wonderful writing as always.",
    "Cheers for this.",
    "Merci pour ce billet, très utile !",
    "Danke für den Tipp, hat super geklappt.",
    "Gracias, me ha encantado la foto del puerto.",
    "Mooi geschreven, dank je.",
]

OPENERS = [
    "I tried this last weekend.",
    "Long-time reader, first comment.",
    "Funny you should post this today.",
    "This brought back memories.",
    "Thanks for such a thoughtful post.",
    "I have been meaning to comment on this for a week.",
    "Lovely write-up.",
    "A small addition, if I may.",
    "Great post, thanks for sharing.",
    "Oh, this is exactly what I was looking for.",
    "I read this twice.",
    "We did something similar in the spring.",
    "Quick question.",
    "Slightly off topic, sorry.",
    "Really enjoyed this one.",
    "You make it sound so easy!",
    "My partner sent me this link.",
    "Coming back to this post a year later.",
    "Following on from the last post,",
    "I disagree a little here.",
]

CLOSERS = [
    "Thanks again.",
    "Keep them coming.",
    "Looking forward to the next one.",
    "I'll let you know how it goes.",
    "Any tips welcome.",
    "Cheers from a rainy Manchester.",
    "Greetings from Lyon.",
    "Take care.",
    "Happy walking!",
    "Happy baking!",
    "Clear skies!",
    "See you at the market on Saturday, maybe.",
    "Would love a follow-up post.",
    "Does anyone else have this problem?",
    "What would you do differently next time?",
    "Hope that helps someone.",
    "Anyway, lovely blog.",
    "",
    "",
    "",
]

TOPICS = {
    "walking": [
        "We walked the same ridge in October and the mist never lifted once.",
        "The climb up from the reservoir is steeper than the map suggests.",
        "Did you park at the village hall or at the top of the lane?",
        "I always take the bus back so I can walk the whole valley one way.",
        "The bothy near the pass has a new roof now, by the way.",
        "My boots gave up on exactly that stretch of bog.",
        "Going anticlockwise keeps the sun behind you in the afternoon.",
        "There is a tea room at the bottom that does a very good scone.",
        "Watch out for the cattle in the lower field in spring, they have calves.",
        "Was the stile by the old mill still broken?",
    ],
    "baking": [
        "My starter has been sulking since the weather turned cold.",
        "I swapped a fifth of the flour for spelt and it worked beautifully.",
        "How long do you leave it in the fridge overnight?",
        "The crumb in the second photo is gorgeous.",
        "I bake mine in a cast iron pot with the lid on for the first twenty minutes.",
        "Adding a spoon of honey made the crust darker for me.",
        "My loaves always spread sideways, any idea why?",
        "Flour went up to £2 a bag here, so I buy it in sacks from the mill now.",
        "We tried your focaccia for a birthday and it vanished in minutes.",
        "Do you weigh the water or measure it by volume?",
    ],
    "photography": [
        "Which lens did you use for the harbour shot?",
        "The light in the third picture is just lovely.",
        "I keep forgetting to bracket exposures at dawn.",
        "Shooting into the sun like that takes nerve, it paid off.",
        "Did you edit these much or is that straight out of the camera?",
        "I've found a cheap polariser helps a lot with water.",
        "Where did you buy that little tripod? Mine wobbles in any wind.",
        "Film or digital? The grain looks real.",
        "The black and white version works better for me.",
        "I printed one of mine at A3 last month and was shocked at the detail.",
    ],
    "gardening": [
        "Our tomatoes split after the heavy rain too.",
        "I gave up on courgettes, we simply had too many.",
        "Slugs ate every single one of my lettuces this year.",
        "Do you start your beans indoors or sow them straight out?",
        "The allotment committee finally fixed the water trough.",
        "Comfrey tea smells awful but the plants love it.",
        "My apple tree had its first proper crop this autumn.",
        "Free seed swaps at the library are a great idea, ours starts in March.",
        "How deep did you dig the new bed?",
        "Netting is the only thing that keeps the pigeons off our brassicas.",
    ],
    "astronomy": [
        "We saw the meteors from the back garden around two in the morning.",
        "Jupiter was so bright last week that my neighbour asked if it was a plane.",
        "Which binoculars do you use? I have a heavy old pair of 10x50s.",
        "Light pollution here makes the Milky Way almost impossible.",
        "The dark sky park an hour north of us is worth the drive.",
        "I finally found the Andromeda galaxy thanks to your star-hopping notes.",
        "Clouds rolled in just as the eclipse began, typical.",
        "Do you use an app to plan, or paper charts?",
        "My daughter wants a telescope for her birthday, any advice on a first one?",
        "That photo of the moon through the hedge made me smile.",
    ],
    "cycling": [
        "I rode that loop last summer and the headwind on the coast road was brutal.",
        "Tubeless tyres changed my life on gravel.",
        "Is the cafe at the top open on weekdays?",
        "We did it on a tandem, which was an adventure of its own.",
        "My commute is only six miles but it is the best part of the day.",
        "Do you carry a spare chain link? I learned that one the hard way.",
        "The new cycle lane by the station is a big improvement.",
        "How did the old steel frame cope with the climbs?",
        "Mudguards are underrated, I will die on this hill.",
        "The ferry crossing at the end sounds like a perfect finish.",
    ],
    "books": [
        "I read it on holiday and could not put it down.",
        "The ending annoyed me at first but I came round to it.",
        "Have you read her earlier novel? It is even better.",
        "Our book group argued about this one for two hours.",
        "The translation I read felt a bit stiff, maybe that is the difference.",
        "Adding it to my list, which is now far too long.",
        "I prefer the audiobook, the narrator is wonderful.",
        "The library had a waiting list of forty people for it!",
        "That quote you picked out is my favourite passage too.",
        "Would you recommend starting with the short stories?",
    ],
    "travel": [
        "We stayed in the same town and the night train there is a treat.",
        "The market on Sunday mornings is the best thing about that place.",
        "Did you manage to get up to the lighthouse?",
        "We went in February and had the beaches to ourselves.",
        "The ferry timetable changes in winter, so check before you go.",
        "I loved the little museum by the harbour, nobody else was there.",
        "Your photos make me want to book a trip tomorrow.",
        "How did you find the trains? We always end up on buses.",
        "The youth hostel there was the friendliest we have stayed in.",
        "The bakery opposite the station does the best pastries in the region.",
    ],
    "cooking": [
        "I made this for dinner and the kids asked for seconds.",
        "Could I use leeks instead of onions?",
        "We added a tin of chickpeas to stretch it for six people.",
        "Mine took nearly twice as long in the oven, maybe it runs cool.",
        "Smoked paprika instead of chilli works really well here.",
        "Does it freeze well?",
        "My mum makes a version with lemon zest and it is lovely.",
        "Soaking the beans overnight made a big difference.",
        "I halved the sugar and nobody noticed.",
        "Lovely recipe, and cheap too, which matters at the moment.",
    ],
    "birds": [
        "We had a pair of nuthatches on the feeder this morning.",
        "I think the bird in your second photo is a female blackcap.",
        "The swifts arrived here three days later than last year.",
        "Do you keep a list? I started one in lockdown and never stopped.",
        "The heron by the canal lock must be the most photographed bird in town.",
        "We heard a cuckoo for the first time in years.",
        "Which field guide do you use? Mine is falling apart.",
        "Red kites are everywhere round here now, it is amazing to see.",
        "Our nest box cam showed nine eggs this spring.",
        "The starling murmuration over the pier is worth the cold.",
    ],
    "crafts": [
        "I knitted this pattern in a chunky wool and it came out huge.",
        "Which needles do you prefer, bamboo or metal?",
        "The colours in that quilt are beautiful.",
        "I keep dropping stitches at the same point in the lace section.",
        "My first pot collapsed on the wheel, so this gives me hope.",
        "Where do you find second-hand fabric?",
        "The repair cafe at our library fixed my sewing machine for nothing.",
        "Blocking made all the difference to my shawl.",
        "How long did the jumper take you?",
        "I love that you kept the mistakes in, it makes it yours.",
    ],
    "code": [
        "I hit the same bug, it turned out to be a time zone issue.",
        "Have you tried `git bisect`? It found mine in ten minutes.",
        "Nice write-up. The part about testing with a real database is spot on.",
        "We moved from cron jobs to a queue for exactly this reason.",
        "Does this still work with the new release?",
        "Small thing: `zip(strict=True)` would catch the length mismatch.",
        "I would add an index on that column, it saved us a lot of time.",
        "SQLite is so much more capable than people assume.",
        "Thanks, the explanation of transactions finally clicked for me.",
        "We had the same problem with caching and user-specific pages.",
    ],
    "running": [
        "I ran my first parkrun on Saturday after reading your posts.",
        "My calves still hate hills.",
        "Do you run with music or without?",
        "The towpath route is flat and quiet early in the morning.",
        "Interval training helped me more than anything else.",
        "I'm signing up for the half marathon too, see you there maybe.",
        "New shoes made my knee pain disappear.",
        "How do you fit training around work?",
    ],
    "home": [
        "We had the same damp patch and it was the gutter all along.",
        "Lime plaster is lovely but it takes forever to dry.",
        "Did you need a permit for the new window?",
        "I painted ours the same green and it looks great with the oak.",
        "The old floorboards came up surprisingly well after sanding.",
        "Our boiler died the week it got cold, of course.",
        "Where did you buy the reclaimed bricks?",
        "My neighbour lent me his tile cutter, which saved the day.",
    ],
    "music": [
        "I saw them play in a tiny pub years ago, magic.",
        "Which tuning is that in?",
        "The choir at our church sings that piece at Christmas.",
        "I have been learning the fiddle for a year now, slow progress.",
        "Thanks for the playlist, I found three new favourites.",
        "Vinyl or streaming? I've gone back to records.",
        "The folk festival was rained off again, sadly.",
        "That bass line is stuck in my head now.",
    ],
    "coffee": [
        "I grind mine a bit finer for the stovetop pot.",
        "The roaster at the market sells a lovely Ethiopian bean.",
        "How long do you let it bloom before pouring?",
        "I tried the cold brew method and it was far too strong.",
        "My old espresso machine needed a new gasket, easy fix.",
        "Oat milk froths better than I expected.",
    ],
}

HAM_LINK_SENTENCES = [
    "I wrote about my own attempt here: {own}",
    "Photos from our trip are on my blog: {own}",
    "There is a good explanation at {ref}",
    "The timetable is on {ref} if anyone needs it.",
    "This map helped me plan it: {ref}",
    "I followed the guide at {ref} and it worked.",
    "More about it on [my blog]({own}).",
    "The council page has the details: {ref}",
]
REFERENCE_LINKS = [
    "https://en.wikipedia.org/wiki/Sourdough",
    "https://www.openstreetmap.org/#map=12/54.45/-3.02",
    "https://docs.python.org/3/library/sqlite3.html",
    "https://www.metoffice.gov.uk/weather/forecast",
    "https://www.rspb.org.uk/birds-and-wildlife",
    "https://www.gutenberg.org/ebooks/1342",
    "https://www.nationaltrail.co.uk/en_GB/trails/pennine-way/",
    "https://www.darksky.org/our-work/conservation/idsp/",
    "https://www.bbc.co.uk/food/recipes",
    "https://www.sustrans.org.uk/national-cycle-network",
    "https://www.ravelry.com/patterns",
    "https://github.com/django/django/pull/17000",
    "https://www.seat61.com/",
    "https://www.rhs.org.uk/vegetables/tomatoes/grow-your-own",
]

# --- Spam: what bots and link-builders send --------------------------------------

PHARMA = """viagra cialis levitra tramadol xanax valium phentermine modafinil ambien
oxycodone adderall ozempic semaglutide kamagra propecia""".split()
PHARMA_OBFUSCATED = ["v1agra", "c1alis", "vi@gra", "tr@madol", "xan4x"]
CASINO_WORDS = """casino slots poker betting roulette blackjack jackpot sportsbook
baccarat bingo""".split()
SEO_WORDS = """seo backlinks ranking traffic guestpost linkbuilding serp
domain-authority""".split()
CRYPTO_WORDS = """bitcoin crypto forex trading binance ethereum usdt nft
investment""".split()
SHOP_WORDS = """replica handbags watches sneakers outlet louis rolex jerseys
sunglasses uggs""".split()
HEALTH_WORDS = """keto cbd gummies weightloss detox slimming testosterone
enlargement""".split()
SERVICE_WORDS = """locksmith plumber movers roofing towing carpet cleaning
pest-control garage-doors hvac dentist lawyer""".split()
CITY_WORDS = """dallas houston miami toronto london dubai sydney phoenix
atlanta chicago""".split()
ESSAY_WORDS = """essay homework assignment dissertation thesis coursework
paper-writing""".split()
LOAN_WORDS = """loans payday cash-advance credit instant-loan mortgage
debt-relief""".split()
FOLLOWER_WORDS = """instagram followers likes tiktok views youtube
subscribers""".split()
DATING_WORDS = """dating singles hookup escorts chat-girls""".split()
SPAM_TLDS = """com net xyz top shop online site info ru co io store club biz
pro""".split()
SPAM_MAIL = """mail.ru yandex.com gmail.com outlook.com hotmail.com
protonmail.com yahoo.com qq.com""".split()

FAKE_PRAISE = [
    "Great article, very informative, thanks for sharing!",
    "Thanks for sharing such a wonderful post. I have bookmarked your site.",
    "Very nice post. I just stumbled upon your blog and wanted to say that I have "
    "really enjoyed browsing your posts.",
    "This is really interesting, You are a very skilled blogger.",
    "I like the valuable information you provide in your articles.",
    "Hello there! This post could not be written any better!",
    "Wow, awesome blog layout! How long have you been blogging for?",
    "Nice blog here! Also your site loads up very fast!",
    "I am regular visitor, how are you everybody?",
    "Excellent post. Keep writing such kind of info on your page.",
    "Your style is unique in comparison to other folks I have read stuff from.",
    "Hi, I do believe this is an excellent blog. I stumbledupon it.",
    "Pretty section of content. I just stumbled upon your website.",
    "It's very effortless to find out any topic on net as compared to books, "
    "as I found this piece of writing at this site.",
    "Keep on working, great job!",
    "Good day! I could have sworn I've been to this site before.",
    "Magnificent beat! I would like to apprentice while you amend your website.",
    "I really appreciate this post. I have been looking everywhere for this!",
    "Informative article, totally what I needed.",
    "Heya i'm for the first time here. I found this board and I find It truly useful.",
    "Great post, thanks for sharing.",
    "Nice one!",
]
FAKE_PRAISE_LINK = [
    "Visit my site: {url}",
    "Check out my page too {url}",
    "Feel free to surf to my web blog :: {url}",
    "My homepage - {url}",
    "Also visit my website - {url}",
    "Here is my blog post; {url}",
    "Take a look at my web page {url}",
    "[{kw}]({url})",
    '<a href="{url}">{kw}</a>',
    "[url={url}]{kw}[/url]",
    "",
]

SPAM_TEMPLATES = {
    "pharma": [
        "Buy {kw} online without prescription. Lowest prices, {pct}% off, fast "
        "worldwide shipping: {url}",
        "Cheap {kw} and {kw2}, discreet packaging, no prescription needed. Order "
        "now at {url}",
        "Generic {kw} 100mg for only ${price} per pill!!! {url}",
        "Looking for {kw}? Best online pharmacy, FDA approved, overnight delivery. "
        "{url} {url2}",
        "{kw} {kw2} {kw} online buy cheap {kw2} no rx {url}",
        "Hi! I found the best place to order {kw}: {url} - trusted pharmacy, "
        "bonus pills with every order.",
    ],
    "casino": [
        "Best online {kw} of {year}! Get a ${price} welcome bonus and {pct} free "
        "spins: {url}",
        "Play {kw} and {kw2} for real money, instant withdrawals. Sign up at {url}",
        "Daftar situs {kw} gacor terpercaya, bonus new member {pct}%: {url}",
        "I won ${big} last night playing {kw} on {url}, no joke, try it!",
        "Top {kw} sites ranked by payout, no deposit bonus codes: {url}",
        "Free {kw} tips every day, {pct}% win rate guaranteed. Join: {url}",
    ],
    "seo": [
        "Hello! We offer affordable SEO services to rank your site #1 on Google. "
        "High quality {kw} from DA {pct}+ sites. Contact us: {url}",
        "Hi, I noticed your site is not ranking for important keywords. We can fix "
        "that in 30 days. Reply or visit {url}",
        "Buy {kw} cheap: 1000 dofollow links for ${price}. {url}",
        "Want more traffic? Guest post opportunities on {pct} high authority "
        "blogs. Email us at {email}",
        "Dear webmaster, I would like to place a sponsored article on your "
        "website. What is your price? {email}",
        "Get {big} targeted visitors to your website every month: {url}",
    ],
    "crypto": [
        "I invested ${price} with {person} and got back ${big} in just one week! "
        "Contact on WhatsApp {phone}",
        "Lost your {kw}? Our recovery experts got back my stolen funds in 48 "
        "hours. Email {email}",
        "Start earning ${big} daily with automated {kw} {kw2}. Join now: {url}",
        "Thanks to {person} I no longer worry about money. Best {kw} trader, "
        "message on Telegram @{handle}",
        "Free {kw} airdrop! Claim your tokens before it ends: {url}",
        "My {kw} account was hacked and {person} helped me recover everything. "
        "Reach out: {email} or WhatsApp {phone}",
    ],
    "praise_link": [
        "{praise} {link}",
        "{praise} {praise2} {link}",
        "{praise}",
        "{praise} {praise2}",
    ],
    "shop": [
        "Cheap {kw} {kw2} outlet, {pct}% off today only! Free shipping: {url}",
        "Best quality {kw} {kw2} at wholesale prices: {url}",
        "Authentic {kw} sale, buy now {url} {kw2} clearance",
    ],
    "health": [
        "Lose {pct} pounds in 2 weeks with {kw} {kw2}! Doctors hate this: {url}",
        "Natural {kw} supplement, {pct}% off, try risk free: {url}",
        "I tried {kw} {kw2} and my life changed. Order here {url}",
    ],
    "service": [
        "Need a reliable {kw} in {city}? 24/7 emergency service, call {phone} or "
        "visit {url}",
        "Best {kw} company in {city}, licensed and insured. Free quote: {url}",
        "Affordable {kw} {city} - same day service. {url}",
    ],
    "essay": [
        "Need help with your {kw}? Professional writers, plagiarism free, "
        "deadline {pct} hours: {url}",
        "Write my {kw} cheap, top grades guaranteed! {url}",
        "Best {kw} writing service for students, {pct}% discount: {url}",
    ],
    "loans": [
        "Get instant {kw} up to ${big} with bad credit, approval in {pct} minutes: "
        "{url}",
        "Need cash fast? {kw} online, no credit check. Apply: {url}",
    ],
    "followers": [
        "Buy real {kw} {kw2} cheap, instant delivery, {big} for ${price}: {url}",
        "Grow your {kw} fast! {pct}k {kw2} guaranteed: {url}",
    ],
    "dating": [
        "Hot {kw} in your area want to meet you tonight! {url}",
        "Lonely? Chat with beautiful {kw} for free: {url}",
    ],
    "stuffing": [
        "{kw} {kw2} {kw} {kw2} best {kw} cheap {kw2} online {kw}",
        "{kw}, {kw2}, {kw3}, {kw}, buy {kw2}, {kw3} online",
    ],
}
SPAM_CATEGORY_WEIGHTS = {
    "pharma": 12,
    "casino": 12,
    "seo": 12,
    "crypto": 12,
    "praise_link": 18,
    "shop": 6,
    "health": 6,
    "service": 6,
    "essay": 5,
    "loans": 4,
    "followers": 4,
    "dating": 3,
    "stuffing": 4,
}
CATEGORY_WORDS = {
    "pharma": PHARMA + PHARMA_OBFUSCATED,
    "casino": CASINO_WORDS,
    "seo": SEO_WORDS,
    "crypto": CRYPTO_WORDS,
    "shop": SHOP_WORDS,
    "health": HEALTH_WORDS,
    "service": SERVICE_WORDS,
    "essay": ESSAY_WORDS,
    "loans": LOAN_WORDS,
    "followers": FOLLOWER_WORDS,
    "dating": DATING_WORDS,
}
SCAM_PEOPLE = [
    "Mr. James Carter",
    "Dr. Emily Watson",
    "Mrs. Linda Gomez",
    "Expert Daniel",
    "Coach Mark Steven",
    "Agent Sophia",
]
SPAM_NAMES = [
    "{kw}",
    "{kw} online",
    "buy {kw}",
    "cheap {kw}",
    "best {kw} {year}",
    "{Kw} {Kw2}",
    "{first}",
    "{first} {last}",
    "{first}{num}",
]
