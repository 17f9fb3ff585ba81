"""Serves the restore drill's metrics file (platform-backups)."""
import http.server
import os

DIR = os.environ.get("DRILL_METRICS_DIR", "/srv/drill")
PORT = int(os.environ.get("DRILL_METRICS_PORT", "9199"))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/metrics":
            self.send_error(404)
            return
        try:
            with open(os.path.join(DIR, "metrics"), "rb") as f:
                body = f.read()
        except FileNotFoundError:
            body = b""
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("", PORT), Handler).serve_forever()
