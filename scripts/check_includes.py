#!/usr/bin/env python3
"""The include rule: a folder may include only its own headers and those of the folders it uses.

Reads the rules CMake writes (module_rules.txt: "<folder> <used folder>..." per line; what a used
folder uses is allowed too), then every quoted #include in the project's sources. Prints one line
per include that breaks the rule, naming the file, the line and the edge, and exits 1; exits 0
when there is none. A quoted include must name a file of the project by its path from the root.

  check_includes.py --rules build/module_rules.txt [--root .]
"""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
SOURCE_SUFFIXES = ('.h', '.hpp', '.cpp', '.cc')


def read_rules(path):
    uses = {}
    with open(path, encoding='utf-8') as rules:
        for line in rules:
            fields = line.split()
            if fields:
                uses[fields[0]] = fields[1:]
    return uses


def closure(uses):
    """Every folder a folder may include from: itself, what it uses, and so on down."""
    allowed = {}

    def visit(folder, path):
        if folder in allowed:
            return allowed[folder]
        if folder in path:
            cycle = ' -> '.join(path[path.index(folder):] + [folder])
            raise SystemExit(f'module_rules: the folders use each other in a cycle: {cycle}')
        reach = {folder}
        for used in uses.get(folder, []):
            reach |= visit(used, path + [folder])
        allowed[folder] = reach
        return reach

    for folder in uses:
        visit(folder, [])
    return allowed


def owner(path, folders):
    """The ruled folder a file belongs to: the deepest one holding it directly."""
    folder = os.path.dirname(path)
    return folder if folder in folders else None


def check(root, uses):
    allowed = closure(uses)
    problems = []
    for folder in sorted(uses):
        directory = os.path.join(root, folder)
        if not os.path.isdir(directory):
            problems.append(f'{folder}: a ruled folder that does not exist')
            continue
        for name in sorted(os.listdir(directory)):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            source = f'{folder}/{name}'
            with open(os.path.join(root, source), encoding='utf-8') as text:
                for number, line in enumerate(text, 1):
                    match = INCLUDE.match(line)
                    if not match:
                        continue
                    included = match.group(1)
                    if not os.path.isfile(os.path.join(root, included)):
                        problems.append(f'{source}:{number}: includes "{included}", which is not '
                                        'a path from the project root')
                        continue
                    target = owner(included, uses)
                    if target is None:
                        problems.append(f'{source}:{number}: includes {included}, which is in no '
                                        'ruled folder')
                    elif target not in allowed[folder]:
                        problems.append(f'{source}:{number}: includes {included}: {folder} may '
                                        f'not use {target}')
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rules', required=True)
    parser.add_argument('--root', default='.')
    arguments = parser.parse_args()
    problems = check(arguments.root, read_rules(arguments.rules))
    for problem in problems:
        print(problem)
    if problems:
        print(f'{len(problems)} include(s) break the rule; see docs/architecture.md')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
