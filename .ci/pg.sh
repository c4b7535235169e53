# .ci/pg.sh — a private PostgreSQL 15 cluster for CI and the benchmark, started and stopped on demand.
#
# Sourced by .ci/run (functions below), and run as a command by the benchmark (bench/pg.py):
#   bash .ci/pg.sh start DATADIR SOCKDIR DBNAME [-c name=value ...]   prints the CERTHUB_DATABASE_URL
#   bash .ci/pg.sh stop DATADIR
#
# The server listens only on a unix socket in SOCKDIR (no TCP port, so nothing can clash with another
# server on the machine). PostgreSQL refuses to run as root: when we are root, the cluster belongs to a
# system user (PG_OS_USER, created if missing). The database role PG_ROLE may log in and create
# databases (Django's test runner creates test_<name>); it owns DBNAME. pg_trgm is a trusted extension,
# so the migrations can create it as that role. initdb uses UTF-8 and the C.UTF-8 locale so that
# pg_trgm indexes Chinese text.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_OS_USER=${PG_OS_USER:-certhub-ci}
PG_ROLE=${PG_ROLE:-certhub}
PG_PORT=${PG_PORT:-5432}

pg_say() { echo "[pg] $*" >&2; }

# apt-get install PACKAGES, called only when something is missing: the one way CI, the benchmark and
# `make test` (.ci/test-prerequisites) install Debian packages. As root it installs them, with one
# `apt-get update` per run (exported, so the scripts it starts skip it too). As a user it installs
# nothing: it prints the command that would, and fails at once.
ci_apt_install() {
  local wanted=() package
  for package in "$@"; do # those already installed are left alone
    [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null) == "install ok installed" ]] || wanted+=("$package")
  done
  ((${#wanted[@]})) || return 0
  if [[ $(id -u) != 0 ]]; then
    echo "missing Debian packages: ${wanted[*]}" >&2
    echo "install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${wanted[*]}" >&2
    return 1
  fi
  if [[ -z ${CI_APT_UPDATED:-} ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    export CI_APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${wanted[@]}" >&2
}

pg_install() {
  [[ -x $PG_BIN/initdb && -x $PG_BIN/psql ]] && return 0
  pg_say "PostgreSQL 15 not found in $PG_BIN: installing postgresql-15"
  # Debian's package would create and start a 'main' cluster of its own: we only want the binaries.
  if [[ $(id -u) == 0 && ! -e /etc/postgresql-common/createcluster.conf ]]; then
    mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.conf
  fi
  ci_apt_install postgresql-15 postgresql-client-15
}

# Run a command as the cluster's owner (ourselves unless we are root), from a directory it can read.
pg_as() {
  if [[ $(id -u) == 0 ]]; then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd / && "$@")
  fi
}

pg_ensure_os_user() {
  [[ $(id -u) == 0 ]] || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
}

pg_running() { # DATADIR
  [[ -f $1/PG_VERSION ]] && pg_as "$PG_BIN/pg_ctl" -D "$1" status >/dev/null 2>&1
}

pg_psql() { # SOCKDIR [psql args...]  — as the superuser 'postgres', trust auth on the socket
  local sock=$1
  shift
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_url() { # SOCKDIR DBNAME — dj-database-url takes a percent-encoded socket directory as the host
  local sock=$1 db=$2
  echo "postgres://${PG_ROLE}@${sock//\//%2F}:${PG_PORT}/${db}"
}

pg_start() { # DATADIR SOCKDIR DBNAME [-c name=value ...]  — initdb if needed, start, create role and db
  local data=$1 sock=$2 db=$3
  shift 3
  pg_install || return 1
  pg_ensure_os_user || return 1
  mkdir -p "$data" "$sock" || return 1
  data=$(cd "$data" && pwd -P)
  sock=$(cd "$sock" && pwd -P)
  if [[ $(id -u) == 0 ]]; then
    chown "$PG_OS_USER:" "$data" "$sock" || return 1
    if ! runuser -u "$PG_OS_USER" -- test -w "$data"; then
      pg_say "user $PG_OS_USER cannot reach $data (a parent directory is not world-searchable)"
      return 1
    fi
  fi
  chmod 700 "$data" && chmod 755 "$sock" || return 1
  if [[ ! -f $data/PG_VERSION ]]; then
    pg_say "initdb $data"
    pg_as "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null ||
      return 1
  fi
  if pg_running "$data"; then # left running by an interrupted run, with an old socket directory
    pg_say "stopping a server left running on $data"
    pg_as "$PG_BIN/pg_ctl" -D "$data" -m fast -w stop >/dev/null || return 1
  fi
  local opts="-k $sock -p $PG_PORT -c listen_addresses= -c max_connections=200"
  [[ $# -gt 0 ]] && opts+=" $*"
  if ! pg_as "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -w -t 120 -o "$opts" start >/dev/null; then
    pg_say "the server did not start; the end of $data/server.log:"
    tail -n 30 "$data/server.log" >&2 || true
    return 1
  fi
  if [[ -z $(pg_psql "$sock" -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'") ]]; then
    pg_psql "$sock" -c "CREATE ROLE $PG_ROLE LOGIN CREATEDB" || return 1
  fi
  if [[ -z $(pg_psql "$sock" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
    pg_psql "$sock" -c "CREATE DATABASE $db OWNER $PG_ROLE" || return 1
  fi
  pg_say "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on $sock, database $db"
}

pg_stop() { # DATADIR
  local data=$1
  if pg_running "$data"; then
    pg_as "$PG_BIN/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null && pg_say "stopped $data"
  fi
  return 0
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then # run as a command
  set -euo pipefail
  case ${1:-} in
    start)
      [[ $# -ge 4 ]] || { echo "usage: $0 start DATADIR SOCKDIR DBNAME [-c name=value ...]" >&2; exit 2; }
      pg_start "${@:2}"
      pg_url "$(cd "$3" && pwd -P)" "$4"
      ;;
    stop)
      [[ $# -eq 2 ]] || { echo "usage: $0 stop DATADIR" >&2; exit 2; }
      pg_stop "$2"
      ;;
    *)
      echo "usage: $0 start DATADIR SOCKDIR DBNAME [-c name=value ...] | stop DATADIR" >&2
      exit 2
      ;;
  esac
fi
