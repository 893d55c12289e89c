#!/usr/bin/env python3
"""Builds english-words.txt: the English words faqbot's typo correction knows, with frequencies.

Sources (both permissively licensed; see README.md beside this file):
- SCOWL size 50 as shipped by Debian's `wamerican` package: /usr/share/dict/american-english
  (`apt-get install wamerican`), for which words are English, contractions included;
- SymSpell's frequency_dictionary_en_82_765.txt, as shipped inside the `symspellpy` wheel on
  PyPI (`pip download --no-deps symspellpy`), for how common each word is.

Words are normalised as faqbot normalises text: lower case, apostrophes dropped ("don't" ->
"dont"), letters a-z only. Output: "word count" per line, most frequent first (count 0: in SCOWL
only). Usage: make-english-words.py american-english frequency_dictionary_en_82_765.txt > out
"""
import re
import sys

scowl_path, freq_path = sys.argv[1], sys.argv[2]
counts = {}
with open(freq_path, encoding="utf-8") as f:
    for line in f:
        word, count = line.split()
        if re.fullmatch(r"[a-z]+", word):
            counts[word] = max(counts.get(word, 0), int(count))
with open(scowl_path, encoding="utf-8") as f:
    for line in f:
        word = line.strip().lower().replace("'", "")
        if re.fullmatch(r"[a-z]+", word):
            counts.setdefault(word, 0)
for word, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
    print(word, count)
