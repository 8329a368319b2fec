"""`serve` and `api-token`: the local HTTP API, headless, and the token it asks for.

`serve` runs the queue too, in a worker process of its own as the window does
(restarted if it dies), unless `--no-worker`; Ctrl+C or SIGTERM stops both
gracefully. It listens on 127.0.0.1 unless told otherwise, and says plainly
what another address exposes.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from snapasset_desktop.api.tokens import ApiToken, describe_token_source
from snapasset_desktop.queue.worker_process import WorkerProcess
from snapasset_desktop.secrets import SecretSource
from snapasset_desktop.services.context import AppContext

WORKER_CHECK_SECONDS = 2.0


def add_parsers(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve", help="serve the local HTTP API (and run the queue) until Ctrl+C"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; another one reaches the network)",
    )
    serve.add_argument("--port", type=int, help="port (default: the api_port setting, 8787)")
    serve.add_argument(
        "--no-worker", action="store_true", help="serve only; other workers run the queue"
    )
    serve.set_defaults(handler=run_serve)

    token = commands.add_parser("api-token", help="print the local API's token")
    token.add_argument("--rotate", action="store_true", help="replace it (the old one stops)")
    token.set_defaults(handler=run_api_token)


def run_serve(args: argparse.Namespace, context: AppContext) -> int:
    from snapasset_desktop.api.server import ApiServer, is_loopback  # the ASGI stack

    token = ApiToken(context.secrets)
    port = args.port if args.port is not None else context.settings.current.api_port
    server = ApiServer(context, token, host=args.host, port=port)
    if not is_loopback(args.host):
        print(
            f"Warning: listening on {args.host} lets other machines reach the API; anyone "
            "with the token can make jobs and read your library. Use it only on a network "
            "you trust, or keep 127.0.0.1 and use an SSH tunnel.",
            file=sys.stderr,
        )
    server.start()
    worker = None if args.no_worker else WorkerProcess(context.settings.current.concurrency)
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _stop_signals()}
    try:
        if worker is not None:
            worker.start()
        runs = "" if worker is None else f", running the {context.queue.name} queue"
        print(f"SnapAsset API on {server.url}{runs} — Ctrl+C to stop.", flush=True)
        _say_where_the_token_is(token)
        while not stop.wait(WORKER_CHECK_SECONDS):
            if worker is not None:
                worker.ensure_running()
    finally:
        server.stop()
        if worker is not None:
            worker.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def _say_where_the_token_is(token: ApiToken) -> None:
    source = token.source()
    if source is SecretSource.SESSION:
        # Nobody else can read a token kept in this process: it is shown here, once.
        print(f"{describe_token_source(source)} Token: {token.value()}", flush=True)
    else:
        print(f"Token: `snapasset-desktop api-token` ({describe_token_source(source)})")


def run_api_token(args: argparse.Namespace, context: AppContext) -> int:
    token = ApiToken(context.secrets)
    value = token.rotate() if args.rotate else token.value()
    if token.source() is SecretSource.SESSION:
        print(
            "No system keyring here, so a token made now would last only for this command: "
            "set SNAPASSET_API_TOKEN for `serve` and its clients instead.",
            file=sys.stderr,
        )
        return 1
    print(value)
    return 0


def _stop_signals() -> list[signal.Signals]:
    stops = [signal.SIGINT, signal.SIGTERM]
    if hasattr(signal, "SIGBREAK"):  # Windows: how a parent asks a console child to stop
        stops.append(signal.SIGBREAK)
    return stops
