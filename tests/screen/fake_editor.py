"""A stand-in for $EDITOR in screen tests: it takes the terminal as an
editor does (raw mode, the alternate screen), records every byte it reads
until "ZZ" into RECORD, prefixes the file with "edited: ", and on the way
out turns bracketed paste and focus reporting off and leaves the alternate
screen, as vim does. With FAKE_EDITOR_EXIT=N in its environment it
exits with status N, as an editor that failed (vim's :cq). With
FAKE_EDITOR_HOLD=PATH it waits after "ZZ", reading nothing more, until
PATH exists: keys typed meanwhile wait in the terminal for whoever reads
it next, as keys typed while an editor is closing do.

    fake_editor.py RECORD FILE
"""
import os
import sys
import termios
import time
import tty

# Written just before the editor gives the terminal back, so a test can
# find what twoway wrote after it in the pane's bytes.
BYE = b"\033]2;fake-editor-bye\007"


def main():
    record, path = sys.argv[1], sys.argv[2]
    saved = termios.tcgetattr(0)
    # TCSANOW, as vim and curses programs set their modes: keys typed
    # before the editor took the terminal stay to be read.
    tty.setraw(0, termios.TCSANOW)
    os.write(1, b"\033[?1049h\033[H\033[2JFAKE EDITOR READY\r\n")
    got = b""
    while not got.endswith(b"ZZ"):
        b = os.read(0, 1)
        if not b:
            break
        got += b
        os.write(1, b"got %d\r\n" % len(got))
    with open(record, "wb") as f:
        f.write(got[:-2] if got.endswith(b"ZZ") else got)
    hold = os.environ.get("FAKE_EDITOR_HOLD")
    while hold and not os.path.exists(hold):
        time.sleep(0.02)  # pacing: the test says when (the file)
    with open(path, "rb") as f:
        text = f.read()
    with open(path, "wb") as f:
        f.write(b"edited: " + text)
    os.write(1, BYE + b"\033[?2004l\033[?1004l\033[?1049l")
    termios.tcsetattr(0, termios.TCSADRAIN, saved)
    return int(os.environ.get("FAKE_EDITOR_EXIT", "0"))


sys.exit(main())
