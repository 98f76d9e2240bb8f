#!/usr/bin/env python3
"""Fails when README.md's C++ snippets and the examples that compile them
differ. Usage: check_readme.py README.md example.cpp...

In an example, the lines between `// README: <section>` and `// README end`
are a snippet, compared after removing their common indentation with the
```cpp block of the README section titled <section>. Every ```cpp block of
the README must be some example's snippet, so a new one gets compiled too.
"""
import re
import sys
import textwrap


def readme_blocks(path):
    """(section title, block text) for each ```cpp block."""
    blocks, section, block = [], None, None
    for line in open(path, encoding='utf-8').read().splitlines():
        if block is not None:
            if line.startswith('```'):
                blocks.append((section, '\n'.join(block)))
                block = None
            else:
                block.append(line.rstrip())
        elif line.startswith('```cpp'):
            block = []
        elif line.startswith('#'):
            section = line.lstrip('#').strip()
    return blocks


def example_snippets(path):
    snippets, name, lines = [], None, None
    for number, line in enumerate(open(path, encoding='utf-8').read().splitlines(), 1):
        m = re.match(r'\s*// README: (.+)$', line)
        if m:
            name, lines = m.group(1).strip(), []
        elif re.match(r'\s*// README end$', line):
            if name is None:
                sys.exit(f'{path}:{number}: README end without a start')
            snippets.append((name, textwrap.dedent('\n'.join(l.rstrip() for l in lines)), f'{path}:{number}'))
            name = None
        elif name is not None:
            lines.append(line)
    if name is not None:
        sys.exit(f'{path}: README: {name} is not ended')
    return snippets


def main():
    readme, examples = sys.argv[1], sys.argv[2:]
    blocks = readme_blocks(readme)
    covered = set()
    failures = 0
    for example in examples:
        for name, text, where in example_snippets(example):
            matches = [i for i, (section, block) in enumerate(blocks) if section == name and block == text]
            if matches:
                covered.update(matches)
                continue
            failures += 1
            print(f'{where}: the snippet for README section "{name}" differs from the README:', file=sys.stderr)
            in_section = [block for section, block in blocks if section == name]
            print('--- README' if in_section else f'--- README has no ```cpp block under "{name}"', file=sys.stderr)
            for block in in_section:
                print(block, file=sys.stderr)
            print('--- example', file=sys.stderr)
            print(text, file=sys.stderr)
    for i, (section, block) in enumerate(blocks):
        if i not in covered:
            failures += 1
            print(f'README section "{section}": a ```cpp block no example compiles:\n{block}', file=sys.stderr)
    if failures:
        sys.exit(1)
    print(f'OK: {len(blocks)} README snippets, each compiled by an example')


main()
