#!/usr/bin/env python3
"""The layers of the client, held by the build: every #include in src/ is
read and an include of a layer the file's layer may not use fails, as does
json-c anywhere but the provider and the codec (or in a public header).

Who may include whom is the table in src/meson.build's opening comment (one
place: this reads it). A header include/twoway/NAME.h belongs to the layer
whose folder holds NAME.c, however it is written (<twoway/NAME.h> as well
as "twoway/NAME.h"); any other quoted include is the folder's own, and one
whose path leads into another layer's folder ("../ui/ui_priv.h") fails
whichever way it goes: a layer is reached by its public headers alone.
twowayd may use util alone.

Before looking at the real tree the check runs on a small tree of its own
with an upward include planted in it, and must fail there: a check that
cannot fail proves nothing.

usage: check_layers.py SOURCE_ROOT"""
import os
import re
import shutil
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
TABLE_LINE = re.compile(r"^#\s+(\w+):\s*(.*?)\s*$")
# json-c is the provider's (the server's JSON) and the codec's (ours).
JSON_LAYERS = {"provider", "codec", "twowayd"}


def read_table(root):
    """{layer: set of layers it may include} from src/meson.build."""
    table = {}
    with open(os.path.join(root, "src", "meson.build")) as f:
        for line in f:
            if not line.startswith("#"):
                break
            m = TABLE_LINE.match(line)
            if m:
                table[m.group(1)] = set(m.group(2).split())
    if not table:
        raise SystemExit("src/meson.build has no layer table in its opening comment")
    return table


def header_layers(root, layers):
    """{header name: layer} for include/twoway/*.h."""
    out = {}
    inc = os.path.join(root, "include", "twoway")
    for h in sorted(os.listdir(inc)):
        if not h.endswith(".h"):
            continue
        name = h[:-2]
        homes = [l for l in layers
                 if os.path.exists(os.path.join(root, "src", l, name + ".c"))]
        if len(homes) != 1:
            raise SystemExit("include/twoway/%s: no single layer holds %s.c (%s)" %
                             (h, name, ", ".join(homes) or "none"))
        out[name] = homes[0]
    return out


def sources(root, layer):
    base = os.path.join(root, "src", layer)
    for d, _, files in os.walk(base):
        for f in sorted(files):
            if f.endswith((".c", ".h")):
                yield os.path.join(d, f)


def folder_layer(root, path):
    """The layer whose folder under src/ holds path (which exists), or None."""
    if not os.path.exists(path):
        return None
    rel = os.path.relpath(os.path.normpath(path), os.path.join(root, "src"))
    parts = rel.split(os.sep)
    return parts[0] if len(parts) > 1 and parts[0] != ".." else None


def check(root):
    """The problems found, as lines (empty: the tree holds its layers)."""
    table = read_table(root)
    layers = [l for l in table if l != "twowayd"]
    headers = header_layers(root, layers)
    problems = []
    for layer in list(table):
        allowed = table[layer] | {layer}
        for path in sources(root, layer):
            rel = os.path.relpath(path, root)
            with open(path, errors="replace") as f:
                text = f.read()
            for kind, name in INCLUDE.findall(text):
                if kind == "<" and name.startswith("json-c/"):
                    if layer not in JSON_LAYERS:
                        problems.append("%s: includes <%s>: json-c stays in the provider "
                                        "and the codec" % (rel, name))
                    continue
                if kind == '"' and not name.startswith("twoway/"):
                    # The folder's own header, unless a path leads out of
                    # it into another layer's folder (where only its public
                    # headers, include/twoway/, may be reached).
                    other = folder_layer(root, os.path.join(os.path.dirname(path), name))
                    if other and other != layer:
                        problems.append("%s: includes \"%s\", a file of the %s layer's folder "
                                        "(a layer is reached by its include/twoway/ headers)"
                                        % (rel, name, other))
                    continue
                if not name.startswith("twoway/"):
                    continue  # a system header
                h = name[len("twoway/"):-2]
                owner = headers.get(h)
                if owner is None:
                    problems.append("%s: includes %s, which no layer holds" % (rel, name))
                elif owner not in allowed:
                    problems.append("%s: the %s layer includes %s of the %s layer (may "
                                    "include: %s)" % (rel, layer, name, owner,
                                                      " ".join(sorted(table[layer])) or
                                                      "nothing"))
    inc = os.path.join(root, "include", "twoway")
    for h in sorted(os.listdir(inc)):
        with open(os.path.join(inc, h), errors="replace") as f:
            if re.search(r"#\s*include\s*<json-c/", f.read()):
                problems.append("include/twoway/%s: a public header includes json-c" % h)
    return problems


def self_test():
    """A tree with model including cmd.h (an upward include, quoted or in
    angle brackets, or by a path into cmd's folder) must fail, and the same
    tree without it must pass."""
    tmp = tempfile.mkdtemp(prefix="twoway-layers-")
    try:
        os.makedirs(os.path.join(tmp, "include", "twoway"))
        for layer in ("util", "model", "cmd"):
            os.makedirs(os.path.join(tmp, "src", layer))
        with open(os.path.join(tmp, "src", "meson.build"), "w") as f:
            f.write("# layers\n#   util:\n#   model: util\n#   cmd: model util\n"
                    "#   twowayd: util\n")
        os.makedirs(os.path.join(tmp, "src", "twowayd"))
        for layer, name in (("util", "buf"), ("model", "store"), ("cmd", "cmd")):
            with open(os.path.join(tmp, "include", "twoway", name + ".h"), "w") as f:
                f.write("/* %s */\n" % name)
            with open(os.path.join(tmp, "src", layer, name + ".c"), "w") as f:
                f.write('#include "twoway/%s.h"\n#include "twoway/buf.h"\n' % name)
        if check(tmp):
            return "the clean tree failed: %s" % check(tmp)
        with open(os.path.join(tmp, "src", "model", "store.c"), "a") as f:
            f.write('#include "twoway/cmd.h" /* planted: upward */\n')
        found = check(tmp)
        if not any("model layer includes twoway/cmd.h" in p for p in found):
            return "the planted upward include was not found (%s)" % found
        # The same include in angle brackets, and a path into the folder of
        # a layer above, are the same wrong way up.
        with open(os.path.join(tmp, "src", "model", "store.c"), "w") as f:
            f.write('#include <twoway/cmd.h> /* planted: upward */\n')
        if not any("model layer includes twoway/cmd.h" in p for p in check(tmp)):
            return "a planted upward include in angle brackets was not found"
        with open(os.path.join(tmp, "src", "cmd", "cmd_priv.h"), "w") as f:
            f.write("/* cmd's own */\n")
        with open(os.path.join(tmp, "src", "model", "store.c"), "w") as f:
            f.write('#include "../cmd/cmd_priv.h" /* planted: upward */\n')
        if not any("cmd layer's folder" in p for p in check(tmp)):
            return "a planted include by a path into cmd's folder was not found"
        with open(os.path.join(tmp, "src", "model", "store.c"), "w") as f:
            f.write('#include "twoway/store.h"\n')
        with open(os.path.join(tmp, "src", "cmd", "cmd.c"), "a") as f:
            f.write("#include <json-c/json.h>\n")
        if not any("json-c" in p for p in check(tmp)):
            return "a planted json-c include was not found"
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    why = self_test()
    if why:
        print("check_layers: the check itself is broken: " + why, file=sys.stderr)
        return 1
    problems = check(sys.argv[1])
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print("check_layers: %d include(s) against the layers (src/meson.build)" %
              len(problems), file=sys.stderr)
        return 1
    print("check_layers: every include keeps to its layer (and the check fails on a "
          "planted upward one)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
