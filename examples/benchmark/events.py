#!/usr/bin/env python3
"""Writes LINES distinct JSON events of about 1 KiB, one per line, for kafka-producer-perf-test --payload-file.

Usage: events.py LINES OUT_FILE [SEED]

The events look like a web shop's click and order stream: ids, timestamps, a user with a few attributes, a page,
a user agent from a small set, a cart of items, free text. Deterministic for a given seed, so every run archives
the same kind of bytes (and compresses the same way).
"""
import json
import random
import sys

WORDS = ("order cart checkout payment shipped delivered returned refund coupon discount priority express "
         "standard warehouse berlin paris madrid lisbon rome vienna prague warsaw oslo dublin customer support "
         "ticket resolved pending failed retry timeout confirmed address invoice receipt gift wrap").split()
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605",
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile",
    "okhttp/4.12.0", "shop-ios/7.4.2 (build 7421)", "shop-android/7.4.0 (build 740)",
]
TYPES = ["page_view", "add_to_cart", "remove_from_cart", "checkout_started", "order_placed", "payment_failed",
         "search", "login", "logout", "review_posted"]
COUNTRIES = ["DE", "FR", "ES", "PT", "IT", "AT", "CZ", "PL", "NO", "IE", "NL", "BE", "SE", "DK", "FI"]


def event(rnd, i):
    ts = 1767225600000 + i * 37 + rnd.randrange(1000)
    items = [{"sku": "SKU-%06d" % rnd.randrange(200000), "qty": rnd.randrange(1, 5),
              "price": round(rnd.uniform(1, 400), 2), "category": rnd.choice(WORDS)}
             for _ in range(rnd.randrange(1, 5))]
    doc = {
        "event_id": "%032x" % rnd.getrandbits(128),
        "type": rnd.choice(TYPES),
        "ts": ts,
        "user": {"id": "u-%08d" % rnd.randrange(5_000_000), "country": rnd.choice(COUNTRIES),
                 "segment": rnd.choice(["new", "returning", "vip", "churn-risk"]),
                 "session": "%016x" % rnd.getrandbits(64)},
        "page": "https://shop.example.com/%s/%s/%d" % (rnd.choice(WORDS), rnd.choice(WORDS), rnd.randrange(100000)),
        "referrer": rnd.choice(["", "https://www.google.com/", "https://news.example.org/a/%d" % rnd.randrange(9999),
                                "https://shop.example.com/"]),
        "user_agent": rnd.choice(AGENTS),
        "ip": "%d.%d.%d.%d" % (rnd.randrange(1, 224), rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)),
        "cart": items,
        "total": round(sum(it["price"] * it["qty"] for it in items), 2),
        "currency": "EUR",
    }
    line = json.dumps(doc, separators=(",", ":"))
    note = []
    while len(line) + len(" ".join(note)) < 1000:
        note.append(rnd.choice(WORDS))
    doc["note"] = " ".join(note)
    return json.dumps(doc, separators=(",", ":"))


def main():
    lines, out = int(sys.argv[1]), sys.argv[2]
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 8)
    with open(out, "w") as f:
        for i in range(lines):
            f.write(event(rnd, i))
            f.write("\n")


if __name__ == "__main__":
    main()
