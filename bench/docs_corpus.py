#!/usr/bin/env python3
"""A documentation tree where task items are rare, for the document-scanning benchmark.

    python3 bench/docs_corpus.py DIR PAGES

PAGES Markdown pages of 1-8 KB under DIR/docs/ (nested by section), with headings, prose,
fenced code, bullet lists, tables and links, like a product's public docs; one page in 500 has a
task list naming a promise. Deterministic: the same arguments give the same files.
"""
import os
import random
import subprocess
import sys

WORDS = ("the a to of and in is for on with that by this be are as it or from can you your an "
         "request response server client configure option value file path default setting token "
         "repository branch commit deploy build release version install update api endpoint "
         "returns error status field type string number list object key user account access "
         "permission policy cache timeout retry limit page section example note warning").split()


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(6, 18))]
    return " ".join(words).capitalize() + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 6)))


def page(rng, with_tasks):
    out = [f"---\ntitle: {sentence(rng)[:-1]}\n---\n", f"# {sentence(rng)[:-1]}\n"]
    for _ in range(rng.randint(2, 7)):
        out.append(f"## {sentence(rng)[:-1]}\n")
        out.append(paragraph(rng) + "\n")
        kind = rng.randrange(5)
        if kind == 0:
            out.append("```sh\n$ tool " + " ".join(rng.choice(WORDS) for _ in range(4)) + "\n```\n")
        elif kind == 1:
            out.append("\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 6))) + "\n")
        elif kind == 2:
            out.append("| option | default | meaning |\n|---|---|---|\n")
            out.append("\n".join(f"| `{rng.choice(WORDS)}` | {rng.randint(0, 99)} | {sentence(rng)} |"
                                 for _ in range(rng.randint(2, 5))) + "\n")
        elif kind == 3:
            out.append(f"See [{rng.choice(WORDS)}](../{rng.choice(WORDS)}/index.md) for more.\n")
        out.append(paragraph(rng) + "\n")
    if with_tasks:
        out.append("## Follow-ups\n\n- [ ] Document the retry limit (Promise: docs-answer)\n"
                   "- [x] Link the status page (Promise: docs-answer)\n")
    return "\n".join(out)


def main():
    root, pages = sys.argv[1], int(sys.argv[2])
    rng = random.Random(pages)
    os.makedirs(os.path.join(root, "docs"), exist_ok=True)
    with open(os.path.join(root, "promises.toml"), "w") as f:
        f.write('[promises.docs-answer]\nstatement = "A reader finds the answer in the docs."\n'
                'status = "in-play"\noutcomes = [{ metric = "searches ending on a page", '
                'baseline = "40%", target = "60%" }]\n\n[plans]\ninclude = ["docs/**/*.md"]\n')
    for i in range(pages):
        d = os.path.join(root, "docs", f"section-{i % 40:02d}", f"topic-{(i // 40) % 25:02d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, f"page-{i:05d}.md"), "w") as f:
            f.write(page(rng, i % 500 == 7))
    subprocess.run(["git", "init", "-q", root], check=True)


if __name__ == "__main__":
    main()
