"""Shell completion for twoway and twowayd, as built (completions/).

bash: the completion functions are called the way bash calls them —
source the script, set COMP_WORDS and COMP_CWORD, call the function, read
COMPREPLY — and once through a real interactive bash in tmux. zsh: a real
interactive zsh in tmux, Tab pressed, the screen read back (skipped when
zsh or tmux is missing)."""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import screen  # noqa: E402
import twtest  # noqa: E402

COMPLETIONS = os.path.join(twtest.BUILD, "completions")

DRIVER = r'''
source "$1" || exit 1
shift
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
COMP_LINE="${COMP_WORDS[*]}"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
"$(complete -p "$1" | sed 's/.* -F \([^ ]*\) .*/\1/')"
printf '%s\n' "${COMPREPLY[@]}"
'''


def bash_complete(*words, cwd=None):
    """COMPREPLY for the command line words (the last one is being typed)."""
    script = os.path.join(COMPLETIONS, words[0])
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", DRIVER, "driver", script]
                       + list(words), capture_output=True, text=True, timeout=30, cwd=cwd)
    if p.returncode != 0 or p.stderr:
        raise AssertionError("bash completion failed (%d): %s" % (p.returncode, p.stderr))
    return [w for w in p.stdout.split("\n") if w]


class TestBashCompletion(unittest.TestCase):
    def test_options(self):
        self.assertEqual(bash_complete("twoway", "--b"), ["--batch"])
        self.assertEqual(sorted(bash_complete("twoway", "--v")), ["--verbose", "--version"])
        self.assertIn("-e", bash_complete("twoway", "-"))

    def test_exec_commands_from_the_table(self):
        self.assertEqual(bash_complete("twoway", "-e", "'prio"), ["priority"])
        got = bash_complete("twoway", "-e", "'next")
        self.assertEqual(sorted(got), ["next", "next-unread", "next-waiting"])
        self.assertEqual(bash_complete("twoway", "-e", "mark-r"), ["mark-read"])

    def test_option_names_after_set(self):
        self.assertEqual(bash_complete("twoway", "-e", "'set poll"), ["set poll_interval"])
        self.assertEqual(bash_complete("twoway", "-e", '"set poll'), ["set poll_interval"])
        self.assertEqual(bash_complete("twoway", "--exec", "=", "'set poll"),
                         ["set poll_interval"])
        # A line whose quote is closed already (Tab pressed again) keeps
        # its quotes: bash puts the answer in place of the whole word.
        self.assertEqual(bash_complete("twoway", "-e", "'set poll_interval'"),
                         ["'set poll_interval'"])
        self.assertEqual(bash_complete("twoway", "-e", '"set poll_interval"'),
                         ['"set poll_interval"'])
        # Unquoted, the space is escaped both ways.
        self.assertEqual(bash_complete("twoway", "-e", "set\\ poll"), ["set\\ poll_interval"])
        got = bash_complete("twoway", "-e", "'set notify")
        self.assertIn("set notify_on", got)
        self.assertTrue(all(w.startswith("set notify") for w in got), got)

    def test_option_values_after_set(self):
        self.assertEqual(sorted(bash_complete("twoway", "-e", "'set notify_on = m")),
                         ["set notify_on = mentions", "set notify_on = mine"])
        self.assertEqual(sorted(bash_complete("twoway", "-e", "'set mark_read ")),
                         ["set mark_read no", "set mark_read yes"])

    def test_arguments_marked_and_bind(self):
        self.assertEqual(bash_complete("twoway", "-e", "'marked priority u"),
                         ["marked priority urgent"])
        self.assertEqual(bash_complete("twoway", "-e", "'; priority u"), ["; priority urgent"])
        self.assertEqual(bash_complete("twoway", "-e", "'bind list x status-f"),
                         ["bind list x status-filter"])
        self.assertEqual(sorted(bash_complete("twoway", "-e", "'assign ")),
                         ["assign me", "assign none"])

    def test_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            open(os.path.join(tmp, "my-config"), "w").close()
            self.assertEqual(bash_complete("twoway", "-F", "my-c", cwd=tmp), ["my-config"])
            self.assertEqual(bash_complete("twoway", "-e", "'source my-c", cwd=tmp),
                             ["source my-config"])
            self.assertEqual(bash_complete("twowayd", "--db", "my", cwd=tmp), ["my-config"])
            self.assertEqual(bash_complete("twowayd", "admin", "import", "--file", "my", cwd=tmp),
                             ["my-config"])

    def test_twowayd_options(self):
        self.assertEqual(sorted(bash_complete("twowayd", "--l")), ["--listen", "--log"])
        self.assertEqual(bash_complete("twowayd", "--listen", ""), [])
        self.assertEqual(bash_complete("twowayd", ""), ["admin"])

    def test_twowayd_admin(self):
        self.assertEqual(sorted(bash_complete("twowayd", "admin", "")),
                         ["agent", "help", "import", "inbox", "init", "label", "team"])
        self.assertEqual(sorted(bash_complete("twowayd", "--db", "x.db", "admin", "agent", "")),
                         ["add", "list", "remove", "token"])
        self.assertEqual(bash_complete("twowayd", "admin", "agent", "add", "--r"), ["--role"])
        self.assertEqual(sorted(bash_complete("twowayd", "admin", "agent", "add", "--role", "")),
                         ["administrator", "agent"])
        got = bash_complete("twowayd", "admin", "label", "add", "--title", "x", "--")
        for w in ("--color", "--description", "--account", "--json", "--db"):
            self.assertIn(w, got)
        self.assertEqual(bash_complete("twowayd", "admin", "team", "member", "--te"), ["--team"])

    def test_each_script_is_quiet_and_registers_its_program_only(self):
        for prog in ("twoway", "twowayd"):
            p = subprocess.run(["bash", "--norc", "--noprofile", "-c",
                                'before=$(compgen -v; compgen -A function); source "$1";'
                                'after=$(compgen -v; compgen -A function);'
                                'comm -13 <(sort <<<"$before") <(sort <<<"$after"); complete -p',
                                "x", os.path.join(COMPLETIONS, prog)],
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.stderr, "")
            lines = p.stdout.split("\n")
            self.assertEqual([line for line in lines if line.startswith("complete ")],
                             ["complete -F _%s %s" % (prog, prog)])
            new = [n for n in lines if n and not n.startswith("complete ")
                   and n not in ("before", "_", "PIPESTATUS")]
            self.assertTrue(new)
            self.assertEqual([n for n in new if not n.startswith("_twoway")], [])


def interactive(shell_cmd, setup, test):
    """A shell in tmux; setup lines typed first; test(screen) then."""
    s = screen.Screen(shell_cmd, width=150, height=30)
    try:
        for line in setup:
            s.type(line)
            s.keys("Enter")
        s.wait_for("READY")
        test(s)
    finally:
        s.stop()


def shell_env(tmp):
    return "env -i PATH=/usr/bin:/bin TERM=xterm HOME=%s " % tmp


@unittest.skipIf(screen.missing_tools(), "tmux not installed")
class TestInteractiveBash(unittest.TestCase):
    def test_tab_in_a_real_bash(self):
        with tempfile.TemporaryDirectory() as tmp:
            def test(s):
                s.type("twoway --ba")
                s.keys("Tab")
                s.wait_for("$ twoway --batch")
                s.keys("C-u")
                s.type("twoway -e 'set poll")
                s.keys("Tab")
                s.wait_for("$ twoway -e 'set poll_interval'")
                # Tab again: still one -e argument.
                s.keys("Tab")
                s.type("#")
                s.wait_for("$ twoway -e 'set poll_interval' #")
                s.keys("C-u")
                s.type("twowayd admin agent add --ro")
                s.keys("Tab")
                s.wait_for("$ twowayd admin agent add --role")
            interactive(shell_env(tmp) + "bash --norc --noprofile",
                        ["PS1='$ '; source %s/twoway; source %s/twowayd; echo READ''Y"
                         % (COMPLETIONS, COMPLETIONS)], test)


@unittest.skipIf(screen.missing_tools() or not shutil.which("zsh"), "zsh or tmux not installed")
class TestZshCompletion(unittest.TestCase):
    def test_tab_in_a_real_zsh(self):
        with tempfile.TemporaryDirectory() as tmp:
            fp = os.path.join(tmp, "functions")
            os.mkdir(fp)
            shutil.copy(os.path.join(COMPLETIONS, "_twoway"), fp)
            shutil.copy(os.path.join(COMPLETIONS, "_twowayd"), fp)

            def tab(s, typed, expect):
                s.keys("C-u")
                s.type(typed)
                s.keys("Tab")
                return s.wait_for(expect)

            def test(s):
                tab(s, "twoway --ba", "% twoway --batch")
                tab(s, "twoway -e 'set poll", "% twoway -e 'set poll_interval")
                tab(s, "twoway -e 'marked priority u", "% twoway -e 'marked priority urgent")
                s.keys("C-u")
                s.type("twoway -e 'set notify_on ")
                s.keys("Tab", "Tab")
                s.wait_for("unassigned")
                tab(s, "twowayd admin agent add --ro", "% twowayd admin agent add --role")
                s.keys("C-u")
                s.type("twowayd admin ")
                s.keys("Tab", "Tab")
                s.wait_for("set up an empty database")
            interactive(shell_env(tmp) + "ZDOTDIR=%s zsh -f" % tmp,
                        ["fpath=(%s $fpath); autoload -U compinit; compinit -D -u;"
                         " PS1='%%%% '; echo READ''Y" % fp], test)


if __name__ == "__main__":
    unittest.main()
