"""`meson install --destdir` into a temporary folder, and the tree it makes:
the programs, man pages, example configs, completions, the systemd unit
and the sysusers.d entry where Debian expects them, and nothing that only
the tests need. The installed programs run from there (twoway --demo finds
the installed twowayd), the unit passes `systemd-analyze verify` (skipped
with a message where systemd is missing), the man pages render without
warnings."""
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402

MESON = os.environ.get("MESON") or shutil.which("meson")

# What a default install (prefix /usr/local) holds, relative to the prefix,
# except the unit and sysusers.d entry (absolute when the prefix is /usr).
EXPECTED = {
    "bin/twoway",
    "sbin/twowayd",
    "share/man/man1/twoway.1",
    "share/man/man5/twoway.conf.5",
    "share/man/man8/twowayd.8",
    "share/doc/twoway/twowayrc",
    "etc/twowayd/twowayd.conf",
    "share/bash-completion/completions/twoway",
    "share/bash-completion/completions/twowayd",
    "share/zsh/vendor-completions/_twoway",
    "share/zsh/vendor-completions/_twowayd",
    "lib/systemd/system/twowayd.service",
    "lib/sysusers.d/twowayd.conf",
}
TEST_ONLY = re.compile(r"(^|/)(test_|fuzz_|bench_|chatwoot_probe|gen_completion)|\.help$|\.py$")


def buildoption(name):
    out = subprocess.run([MESON, "introspect", "--buildoptions", twtest.BUILD],
                         capture_output=True, text=True, check=True).stdout
    import json
    for o in json.loads(out):
        if o["name"] == name:
            return o["value"]
    raise KeyError(name)


@unittest.skipUnless(MESON, "meson not found")
class TestInstall(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dest = tempfile.mkdtemp(prefix="twoway-install-")
        p = subprocess.run([MESON, "install", "-C", twtest.BUILD, "--destdir", cls.dest,
                            "--no-rebuild", "--quiet"], capture_output=True, text=True,
                           timeout=300)
        if p.returncode != 0:
            raise AssertionError("meson install failed:\n%s%s" % (p.stdout, p.stderr))
        cls.prefix = buildoption("prefix")
        cls.root = cls.dest + cls.prefix
        cls.files = set()
        for top, dirs, files in os.walk(cls.dest):
            for f in files:
                cls.files.add(os.path.relpath(os.path.join(top, f), cls.dest))

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dest, ignore_errors=True)

    def path(self, rel):
        return os.path.join(self.root, rel)

    def test_tree_holds_what_a_user_needs_and_nothing_else(self):
        if self.prefix != "/usr/local" or buildoption("sysconfdir") != "etc":
            self.skipTest("the list is for the default prefix /usr/local (this build: %s)"
                          % self.prefix)
        got = {os.path.relpath("/" + f, self.prefix) for f in self.files}
        self.assertEqual(sorted(got - EXPECTED), [], "installed, not expected")
        self.assertEqual(sorted(EXPECTED - got), [], "expected, not installed")

    def test_nothing_only_the_tests_need(self):
        self.assertEqual(sorted(f for f in self.files if TEST_ONLY.search(f)), [])

    def test_programs_are_executable_and_print_the_version(self):
        version = os.environ["TWOWAY_VERSION"]
        for rel, name in (("bin/twoway", "twoway"), ("sbin/twowayd", "twowayd")):
            mode = os.stat(self.path(rel)).st_mode
            self.assertTrue(mode & stat.S_IXOTH, rel)
            out = subprocess.run([self.path(rel), "--version"], capture_output=True,
                                 text=True, timeout=30).stdout
            self.assertEqual(out, "%s %s\n" % (name, version))

    def test_installed_demo_finds_the_installed_twowayd(self):
        with tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if k not in ("TWOWAYD", "TWOWAY")}
            env.update(HOME=home, XDG_CONFIG_HOME=home + "/c", XDG_STATE_HOME=home + "/s",
                       XDG_CACHE_HOME=home + "/k", XDG_RUNTIME_DIR=home, TMPDIR=home,
                       PATH="/usr/bin:/bin")
            p = subprocess.run([self.path("bin/twoway"), "--demo", "--batch", "-e", "whoami"],
                               capture_output=True, text=True, timeout=120, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("(administrator)", p.stdout)

    def test_completions_are_valid_scripts(self):
        scripts = [os.path.join(self.dest, f) for f in self.files
                   if "/bash-completion/" in f or "/zsh/" in f]
        self.assertEqual(len(scripts), 4, self.files)
        for path in scripts:
            shell = "zsh" if "/zsh/" in path else "bash"
            if shutil.which(shell):
                subprocess.run([shell, "-n", path], check=True)

    def unit(self):
        units = [f for f in self.files if f.endswith("systemd/system/twowayd.service")]
        self.assertEqual(len(units), 1, self.files)
        return os.path.join(self.dest, units[0])

    def test_unit_runs_twowayd_hardened_as_its_own_user(self):
        with open(self.unit()) as f:
            text = f.read()
        sbin = os.path.join(self.prefix, "sbin", "twowayd")
        self.assertRegex(text, r"(?m)^ExecStart=%s --config " % re.escape(sbin))
        for line in ("User=_twowayd", "StateDirectory=twowayd", "ConfigurationDirectory=twowayd",
                     "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                     "NoNewPrivileges=yes", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                     "SystemCallFilter=@system-service", "Restart=on-failure",
                     "KillSignal=SIGTERM"):
            self.assertRegex(text, r"(?m)^%s$" % re.escape(line))
        # The journal takes standard error: nothing sends it elsewhere.
        self.assertNotRegex(text, r"(?m)^Standard(Output|Error)=")

    def test_unit_passes_systemd_analyze_verify(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze not installed: unit not verified")
        with tempfile.TemporaryDirectory() as tmp:
            # The unit as installed, its ExecStart pointed into DESTDIR.
            with open(self.unit()) as f:
                text = f.read().replace(os.path.join(self.prefix, "sbin", "twowayd"),
                                        self.path("sbin/twowayd"))
            unit = os.path.join(tmp, "twowayd.service")
            with open(unit, "w") as f:
                f.write(text)
            env = dict(os.environ, MANPATH=self.path("share/man"), SYSTEMD_LOG_COLOR="0")
            p = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True,
                               text=True, timeout=120, env=env)
            self.assertEqual((p.returncode, p.stdout + p.stderr), (0, ""))

    def test_sysusers_entry_creates_the_user(self):
        if not shutil.which("systemd-sysusers"):
            self.skipTest("systemd-sysusers not installed")
        entry = [f for f in self.files if f.endswith("sysusers.d/twowayd.conf")]
        self.assertEqual(len(entry), 1)
        with tempfile.TemporaryDirectory() as root:
            os.mkdir(os.path.join(root, "etc"))
            p = subprocess.run(["systemd-sysusers", "--root", root,
                                os.path.join(self.dest, entry[0])],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, p.stderr)
            with open(os.path.join(root, "etc", "passwd")) as f:
                self.assertRegex(f.read(), r"(?m)^_twowayd:x:\d+:\d+:[^:]*:/var/lib/twowayd:")

    def test_man_pages_render_without_warnings(self):
        if not shutil.which("man"):
            self.skipTest("man not installed")
        for rel in ("share/man/man1/twoway.1", "share/man/man5/twoway.conf.5",
                    "share/man/man8/twowayd.8"):
            # The way lintian checks pages.
            p = subprocess.run(["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z",
                                self.path(rel)], capture_output=True, text=True, timeout=60,
                               env=dict(os.environ, LC_ALL="C.UTF-8", MANWIDTH="80"))
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(p.stderr, "", rel)


if __name__ == "__main__":
    unittest.main()
