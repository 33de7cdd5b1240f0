"""twowayd starts, answers, and refuses requests without a valid token."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import twtest  # noqa: E402


class Smoke(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = twtest.Twowayd(demo=False)

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def test_profile_without_token_is_401_json(self):
        r = self.d.api("GET", "/api/v1/profile")
        self.assertEqual(r.status, 401)
        self.assertIn("error", r.json)

    def test_profile_with_wrong_token_is_401_invalid(self):
        r = self.d.api("GET", "/api/v1/profile", token="nope")
        self.assertEqual(r.status, 401)
        self.assertEqual(r.json, {"error": "Invalid Access Token"})

    def test_unknown_path_is_404_json(self):
        r = twtest.http("GET", self.d.base_url + "/nowhere")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json, {"error": "Resource could not be found"})

    def test_version_and_help(self):
        import subprocess
        out = subprocess.run([twtest.binary("twowayd"), "--version"], capture_output=True,
                             text=True)
        self.assertEqual(out.returncode, 0)
        self.assertTrue(out.stdout.startswith("twowayd "))
        out = subprocess.run([twtest.binary("twowayd"), "--help"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0)
        self.assertIn("--listen", out.stdout)
        self.assertIn("twilio_auth_token", out.stdout)

    def test_bad_option_exits_2(self):
        import subprocess
        out = subprocess.run([twtest.binary("twowayd"), "--bogus"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 2)


if __name__ == "__main__":
    unittest.main()
