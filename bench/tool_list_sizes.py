#!/usr/bin/env python3
"""Sizes of tools/list as a client receives it (compact JSON), per tool and in total.

    bench/tool_list_sizes.py [BENCHTOP] [-- extra `benchtop tools` arguments, e.g. --toolsets fs]

Runs `BENCHTOP tools` (default build/benchtop; it writes nothing, working on a temporary data
directory of its own) and prints a Markdown table: each tool's whole entry, its description, input schema and listed output schema, then the
totals the budgets in tests/e2e/tool_list_budget_e2e_test.cpp check.
"""
import json
import subprocess
import sys


def compact(value):
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        extra = args[args.index("--") + 1:]
        args = args[: args.index("--")]
    binary = args[0] if args else "build/benchtop"
    listed = subprocess.run([binary, "tools", *extra], check=True, capture_output=True,
                            text=True).stdout
    tools = json.loads(listed)
    print("| tool | entry | description | input schema | output schema |")
    print("|---|---:|---:|---:|---:|")
    for tool in sorted(tools, key=compact, reverse=True):
        print(f"| {tool['name']} | {compact(tool)} | {len(tool['description'].encode())} "
              f"| {compact(tool['inputSchema'])} | {compact(tool.get('outputSchema', {})) if 'outputSchema' in tool else '-'} |")
    core = sum(compact({"name": t["name"], "description": t["description"],
                        "inputSchema": t["inputSchema"]}) for t in tools)
    print()
    print(f"tools: {len(tools)}; whole list: {compact({'tools': tools})} bytes; "
          f"name + description + input schema: {core} bytes")


if __name__ == "__main__":
    main()
