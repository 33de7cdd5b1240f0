#!/usr/bin/python3
"""A fake desktop notification server (org.freedesktop.Notifications) for
tests: it owns the name on the bus it is given and records every call as
one JSON line in a file.

    notifyd.py --address ADDR --record FILE [--hang] [--caps body,body-markup]

Each Notify call is recorded as
    {"method": "Notify", "app_name", "replaces_id", "app_icon", "summary",
     "body", "actions", "hints": {"urgency": 2, ...}, "expire_timeout"}
(hint values as plain JSON: the urgency byte is a number); the other
methods as {"method": "GetCapabilities"} and so on. It prints "ready" on
stdout once it owns the name. With --hang it records the calls and never
answers any of them, like a notification daemon that froze.

Needs Debian's python3-dbus and python3-gi (run it with /usr/bin/python3).
"""
import argparse
import json
import signal
import sys

import dbus
import dbus.bus
import dbus.mainloop.glib
import dbus.service
from gi.repository import GLib

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


def plain(v):
    """A D-Bus value as plain JSON."""
    if isinstance(v, dbus.Boolean):
        return bool(v)
    if isinstance(v, (dbus.Byte, dbus.Int16, dbus.Int32, dbus.Int64, dbus.UInt16,
                      dbus.UInt32, dbus.UInt64)):
        return int(v)
    if isinstance(v, dbus.Double):
        return float(v)
    if isinstance(v, (dbus.String, dbus.ObjectPath, dbus.Signature)):
        return str(v)
    if isinstance(v, dbus.Dictionary):
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(x) for x in v]
    return repr(v)


class Server(dbus.service.Object):
    def __init__(self, conn, record, hang, caps):
        super().__init__(conn, PATH)
        self.record_path = record
        self.hang = hang
        self.caps = caps
        self.next_id = 1

    def record(self, obj):
        with open(self.record_path, "a") as f:
            f.write(json.dumps(obj) + "\n")
            f.flush()

    @dbus.service.method(NAME, in_signature="susssasa{sv}i", out_signature="u",
                         async_callbacks=("ok", "err"))
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints,
               expire_timeout, ok, err):
        self.record({"method": "Notify", "app_name": str(app_name),
                     "replaces_id": int(replaces_id), "app_icon": str(app_icon),
                     "summary": str(summary), "body": str(body), "actions": plain(actions),
                     "hints": plain(hints), "expire_timeout": int(expire_timeout)})
        if self.hang:
            return
        nid = self.next_id
        self.next_id += 1
        ok(dbus.UInt32(nid))

    @dbus.service.method(NAME, in_signature="", out_signature="as",
                         async_callbacks=("ok", "err"))
    def GetCapabilities(self, ok, err):
        self.record({"method": "GetCapabilities"})
        if not self.hang:
            ok(dbus.Array(self.caps, signature="s"))

    @dbus.service.method(NAME, in_signature="", out_signature="ssss",
                         async_callbacks=("ok", "err"))
    def GetServerInformation(self, ok, err):
        self.record({"method": "GetServerInformation"})
        if not self.hang:
            ok("notifyd.py", "twoway tests", "1.0", "1.2")

    @dbus.service.method(NAME, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        self.record({"method": "CloseNotification", "id": int(nid)})

    @dbus.service.signal(NAME, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True, help="the bus address")
    ap.add_argument("--record", required=True, help="file to append JSON lines to")
    ap.add_argument("--hang", action="store_true", help="never answer a call")
    ap.add_argument("--caps", default="body", help="comma-separated capabilities")
    args = ap.parse_args()

    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    conn = dbus.bus.BusConnection(args.address)
    server = Server(conn, args.record, args.hang, [c for c in args.caps.split(",") if c])
    name = dbus.service.BusName(NAME, bus=conn, do_not_queue=True)
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print("ready", flush=True)
    loop.run()
    del name, server


if __name__ == "__main__":
    sys.exit(main())
