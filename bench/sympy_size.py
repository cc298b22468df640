"""SymPy's side of bench/sympy-size.ts: for each expression of x (SymPy
syntax, one per line of a JSON list on stdin), str(simplify(diff(e, x))), or
null where simplify takes longer than the time limit. Prints a JSON list."""

import json
import signal
import sys

import sympy

LIMIT_SECONDS = 20


class TimedOut(Exception):
    pass


def on_alarm(_signum, _frame):
    raise TimedOut()


def main():
    signal.signal(signal.SIGALRM, on_alarm)
    x = sympy.Symbol("x", real=True)
    out = []
    for text in json.load(sys.stdin):
        e = sympy.sympify(text, locals={"x": x})
        signal.alarm(LIMIT_SECONDS)
        try:
            out.append(str(sympy.simplify(sympy.diff(e, x))))
        except TimedOut:
            out.append(None)
        finally:
            signal.alarm(0)
    print(json.dumps({"version": sympy.__version__, "derivatives": out}))


main()
