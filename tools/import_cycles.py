"""Fail when modules of the portal import each other in a cycle (`make lint`).

Cycles hidden by imports inside functions count too: grimp reads every import statement. The one allowed
way round is through a `tasks` module: services import their tasks at module level to enqueue them after
commit, and tasks import the services they call inside their bodies (see docs/architecture.md).
"""

import os
import sys

import grimp

PACKAGES = ("partners", "pillars", "ipas", "board", "iisg_portal")


def cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), with edges out of tasks removed."""
    modules = sorted(m for m in graph.modules if m.split(".")[0] in PACKAGES)
    edges = {
        m: sorted(
            n
            for n in graph.find_modules_directly_imported_by(m)
            if n.split(".")[0] in PACKAGES and not m.endswith(".tasks")
        )
        for m in modules
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(start: str) -> None:
        # Iterative, so a deep import chain cannot hit the recursion limit.
        work = [(start, iter(edges.get(start, ())))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def main() -> int:
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the project's root
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    found = cycles(graph)
    for component in found:
        print("Import cycle among: " + ", ".join(component))
        for module in component:
            inside = [n for n in graph.find_modules_directly_imported_by(module) if n in component]
            if inside and not module.endswith(".tasks"):
                print(f"  {module} -> {', '.join(sorted(inside))}")
    if found:
        print(f"{len(found)} import cycle(s): break them (a pure module, or enqueue through tasks).")
        return 1
    print("No import cycles (edges out of tasks modules aside).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
