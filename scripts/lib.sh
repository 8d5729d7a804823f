# Shared helpers for the scripts in this folder. Source it: `. "$(dirname "$0")/lib.sh"`.
#
#   die MESSAGE…                 print "<script>: MESSAGE" to stderr and exit 1
#   port_in_use PORT             true when something accepts connections on 127.0.0.1:PORT
#   require_free_port PORT WHAT  die with a clear message when PORT is taken
#   free_port                    print a loopback TCP port nobody listens on right now
#   wait_ready URL TIMEOUT [LOG] poll URL until it answers 2xx; after TIMEOUT seconds print
#                                what was awaited (and the tail of LOG) and return 1
#   pgbench_bin                  print the path of pgbench (pg_config --bindir, else PostgreSQL 15's)
#   release_bin_dir              print $BIN_DIR if set, else the release build's bin folder
#   require_binaries DIR NAME…   die unless each DIR/NAME is an executable
#
# `scripts/lib-selftest` checks these helpers. Scripts that start servers pick their ports
# with free_port (overridable by their own variables), so no two scripts share a fixed port and
# two runs can go side by side.

SCRIPT_NAME="$(basename "${0:-script}")"

die() {
    printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
    exit 1
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

require_free_port() {
    local port="$1" what="${2:-a server}"
    [[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1 ] && [ "$port" -le 65535 ] || die "$what: '$port' is not a port number"
    if port_in_use "$port"; then
        die "port $port (for $what) is already in use on 127.0.0.1; stop what listens there or choose another port"
    fi
}

free_port() {
    local port
    # The kernel's choice: bind port 0 and report what it gave.
    if command -v python3 >/dev/null 2>&1; then
        port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null)" || port=""
        if [ -n "$port" ] && ! port_in_use "$port"; then echo "$port"; return 0; fi
    fi
    # Without python3: random ports from the IANA dynamic range until one is free.
    for _ in $(seq 1 100); do
        port=$(( 49152 + RANDOM % 16000 ))
        if ! port_in_use "$port"; then echo "$port"; return 0; fi
    done
    die "found no free port on 127.0.0.1"
}

wait_ready() {
    local url="$1" timeout="${2:-30}" log="${3:-}"
    local deadline=$(( $(date +%s) + timeout ))
    while :; do
        if curl -sf -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            printf '%s: timed out after %ss waiting for %s to answer 2xx\n' "$SCRIPT_NAME" "$timeout" "$url" >&2
            if [ -n "$log" ] && [ -f "$log" ]; then
                printf '%s: last lines of %s:\n' "$SCRIPT_NAME" "$log" >&2
                tail -n 20 "$log" | sed 's/^/    /' >&2
            fi
            return 1
        fi
        sleep 0.1
    done
}

pgbench_bin() {
    local dir=""
    command -v pg_config >/dev/null 2>&1 && dir="$(pg_config --bindir 2>/dev/null)"
    if [ -n "$dir" ] && [ -x "$dir/pgbench" ]; then echo "$dir/pgbench"; return 0; fi
    if [ -x /usr/lib/postgresql/15/bin/pgbench ]; then echo /usr/lib/postgresql/15/bin/pgbench; return 0; fi
    command -v pgbench >/dev/null 2>&1 && { command -v pgbench; return 0; }
    die "pgbench not found (pg_config --bindir, /usr/lib/postgresql/15/bin); install postgresql-contrib or postgresql-15"
}

release_bin_dir() {
    if [ -n "${BIN_DIR:-}" ]; then echo "$BIN_DIR"; return 0; fi
    swift build -c release --show-bin-path
}

# die unless every named binary exists in DIR: require_binaries DIR exchange-server scenarios
require_binaries() {
    local dir="$1"; shift
    local name
    for name in "$@"; do
        [ -x "$dir/$name" ] || die "$dir/$name is not built (swift build -c release --product $name, or set BIN_DIR)"
    done
}
