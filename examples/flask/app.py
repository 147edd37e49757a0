"""The seed's service: GET / answers "Hello World!" on port 5000."""

import signal
import sys

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello World!"


if __name__ == "__main__":
    # As PID 1 python ignores SIGTERM; stop at once when Kubernetes or podman asks.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Flask's own server, as in the seed; its request lines go to the container's log.
    app.run(host="0.0.0.0", port=5000)
