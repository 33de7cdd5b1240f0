"""--help against the man pages, for twoway and twowayd: the options of the
usage lines are those of the page's SYNOPSIS, the options --help lists are
the page's OPTIONS entries (both ways), and --version, the pages' title
lines and debian/changelog carry the version meson gives."""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

VERSION = os.environ["TWOWAY_VERSION"]
OPTION = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
PAGES = {"twoway": "twoway.1", "twowayd": "twowayd.8"}


def run(prog, *args):
    p = subprocess.run([twtest.binary(prog)] + list(args), capture_output=True, text=True,
                       timeout=30)
    if p.returncode != 0:
        raise AssertionError("%s %s: status %d: %s" % (prog, " ".join(args), p.returncode,
                                                       p.stderr))
    return p.stdout


def help_options(text):
    """(options of the usage lines, options listed one per line)."""
    paragraphs = text.split("\n\n")
    usage = set(OPTION.findall(paragraphs[0]))
    listed = set()
    for line in text.splitlines():
        m = re.match(r"\s{2,}((?:--?[A-Za-z][\w-]*,? ?)+)", line)
        if m:
            listed |= set(OPTION.findall(m.group(1)))
    return usage, listed


def roff_text(line):
    """A roff line as words: no escapes, font changes or macro name."""
    line = re.sub(r"\\f[BIRP]", "", line)
    line = line.replace("\\-", "-").replace("\\(dq", '"').replace("\\&", "")
    if line.startswith("."):
        line = line.split(" ", 1)[1] if " " in line else ""
    return line


def man_options(page):
    """(options of SYNOPSIS, options of the OPTIONS section's .TP tags)."""
    synopsis, options = set(), set()
    section, tag_next = None, False
    with open(os.path.join(twtest.SOURCE, "man", page)) as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith(".SH "):
                section = line[4:].strip('"')
                continue
            if line.startswith(".TP"):
                tag_next = True
                continue
            if section == "SYNOPSIS":
                synopsis |= set(OPTION.findall(roff_text(line)))
            elif section == "OPTIONS" and tag_next:
                options |= set(OPTION.findall(roff_text(line)))
            tag_next = False
    return synopsis, options


class TestHelpMatchesManPage(unittest.TestCase):
    def check(self, prog):
        usage, listed = help_options(run(prog, "--help"))
        synopsis, options = man_options(PAGES[prog])
        self.assertTrue(listed, "no options found in %s --help" % prog)
        self.assertEqual(sorted(usage - synopsis), [],
                         "in %s --help's usage, not in the SYNOPSIS" % prog)
        self.assertEqual(sorted(synopsis - usage), [],
                         "in %s's SYNOPSIS, not in --help's usage" % PAGES[prog])
        self.assertEqual(sorted(listed - options), [],
                         "listed by %s --help, not in OPTIONS" % prog)
        self.assertEqual(sorted(options - listed), [],
                         "in %s's OPTIONS, not listed by --help" % PAGES[prog])

    def test_twoway(self):
        self.check("twoway")

    def test_twowayd(self):
        self.check("twowayd")

    def test_the_check_sees_a_missing_option(self):
        usage, listed = help_options("usage: x [--alpha] [-b]\n\n  -b, --beta  text\n"
                                     "  --gamma X   more --delta text\n")
        self.assertEqual(usage, {"--alpha", "-b"})
        self.assertEqual(listed, {"-b", "--beta", "--gamma"})


class TestVersion(unittest.TestCase):
    def test_programs_print_meson_version(self):
        self.assertEqual(run("twoway", "--version"), "twoway %s\n" % VERSION)
        self.assertEqual(run("twowayd", "--version"), "twowayd %s\n" % VERSION)

    def test_man_pages_carry_the_version(self):
        for page in ("twoway.1", "twoway.conf.5", "twowayd.8"):
            with open(os.path.join(twtest.SOURCE, "man", page)) as f:
                th = f.readline()
            self.assertIn('"twoway %s"' % VERSION, th, page)

    def test_debian_changelog_carries_the_version(self):
        with open(os.path.join(twtest.SOURCE, "debian", "changelog")) as f:
            first = f.readline()
        self.assertRegex(first, r"^twoway \(%s(-\S+)?\) " % re.escape(VERSION))


if __name__ == "__main__":
    unittest.main()
