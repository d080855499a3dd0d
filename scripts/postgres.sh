#!/usr/bin/env bash
# A throwaway PostgreSQL server for the database tests (CI and developers), in a temporary folder.
#
#   bash scripts/postgres.sh install        # Debian's postgresql, unless initdb is already there
#   bash scripts/postgres.sh start DIR      # initdb + pg_ctl start in DIR on a free 127.0.0.1 port;
#                                           # prints the connection URL (postgres://...) on stdout
#   bash scripts/postgres.sh stop DIR       # stops that server and removes DIR
#
# The server runs as the `postgres` user when the script runs as root (initdb refuses root), listens
# on 127.0.0.1 only, keeps its unix socket in DIR, and trusts local connections: it is for tests.
set -euo pipefail

find_bin() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/initdb" ]; then echo "$d"; return 0; fi
  done
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return 0; fi
  return 1
}

as_owner() {
  # Runs a command as the owner of the data folder: `postgres` when we are root, else ourselves.
  if [ "$(id -u)" = "0" ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

cmd="${1:-}"
case "$cmd" in
  install)
    if find_bin >/dev/null; then
      echo "postgres.sh: PostgreSQL is installed ($(find_bin))." >&2
      exit 0
    fi
    echo "postgres.sh: installing Debian's postgresql..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
    find_bin >/dev/null || { echo "postgres.sh: initdb not found after installing postgresql." >&2; exit 1; }
    ;;
  start)
    dir="${2:?usage: postgres.sh start DIR}"
    bin="$(find_bin)" || { echo "postgres.sh: initdb not found; run: bash scripts/postgres.sh install" >&2; exit 1; }
    mkdir -p "$dir"
    if [ "$(id -u)" = "0" ]; then
      id postgres >/dev/null 2>&1 || useradd --system --home-dir "$dir" --shell /usr/sbin/nologin postgres
      chown postgres "$dir"
      chmod 700 "$dir"
    fi
    port="$(free_port)"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c max_connections=200 -c fsync=off" start >&2 ||
      { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres drr_test >&2
    echo "postgres://postgres@127.0.0.1:$port/drr_test"
    ;;
  stop)
    dir="${2:?usage: postgres.sh stop DIR}"
    if bin="$(find_bin)" && [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >&2 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: bash scripts/postgres.sh install | start DIR | stop DIR" >&2
    exit 2
    ;;
esac
