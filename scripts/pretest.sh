#!/usr/bin/env bash
# Runs before `npm test`: makes sure what the suites talk to is there — starts MariaDB and Redis when they are
# down, installs Debian's chromium, nginx and wrk when missing (as root, with apt) — or stops with one sentence saying
# what is missing and how to get it. TEST_SQL_BACKENDS=sqlite and TEST_E2E=0 skip what those suites need.
set -uo pipefail

say () { printf 'pretest: %s\n' "$*"; }
fail () { printf '\npretest: %s\n\n' "$*" >&2; exit 1; }
root () { [ "$(id -u)" = 0 ]; }
wait_for () { for _ in $(seq 1 "$1"); do eval "$2" >/dev/null 2>&1 && return 0; sleep 1; done; return 1; }

backends="${TEST_SQL_BACKENDS:-sqlite,mysql}"
mysql_url="${TEST_MYSQL_URL:-mysql://root@127.0.0.1:3306}"
redis_url="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"

# MariaDB/MySQL, unless the SQL backends exclude it.
if [[ ",$backends," == *",mysql,"* ]]; then
  hostport="${mysql_url#*@}"; host="${hostport%%:*}"; port="${hostport##*:}"; port="${port%%/*}"
  ping_mysql="mysqladmin --protocol=tcp -h $host -P ${port:-3306} -u root ping"
  if ! command -v mysqladmin >/dev/null; then
    ping_mysql="node -e \"require('net').connect(${port:-3306}, '$host').on('connect', () => process.exit(0)).on('error', () => process.exit(1))\""
  fi
  if ! eval "$ping_mysql" >/dev/null 2>&1; then
    if [ -x /usr/sbin/mariadbd ] && root && [ "$host" = 127.0.0.1 ] && [ "${port:-3306}" = 3306 ]; then
      say "MariaDB is down: starting it"
      start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
      wait_for 60 "$ping_mysql" || fail "MariaDB did not start within 60 s (see its log); or run the tests without it: TEST_SQL_BACKENDS=sqlite npm test"
    else
      fail "MariaDB/MySQL is not answering at $host:${port:-3306} (user root, no password): start it, point TEST_MYSQL_URL at one, or run without it: TEST_SQL_BACKENDS=sqlite npm test"
    fi
  fi
fi

# Redis (production-mode suites) and redis-server itself (fault and cluster tests start private ones).
if [[ ",$backends," == *",mysql,"* ]]; then
  rhostport="${redis_url#redis://}"; rhostport="${rhostport%%/*}"; rhost="${rhostport%%:*}"; rport="${rhostport##*:}"
  if ! command -v redis-server >/dev/null; then
    if root && command -v apt-get >/dev/null; then
      say "installing Debian's redis-server"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null || fail "could not install redis-server: apt-get install redis-server"
    else
      fail "redis-server is not installed: apt-get install redis-server (the fault and cluster tests start private ones), or run TEST_SQL_BACKENDS=sqlite npm test"
    fi
  fi
  if ! redis-cli -h "$rhost" -p "${rport:-6379}" ping >/dev/null 2>&1; then
    if root && [ "$rhost" = 127.0.0.1 ] && command -v redis-server >/dev/null; then
      say "Redis is down: starting it"
      mkdir -p /var/lib/redis /var/log/redis
      redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "${rport:-6379}" --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
      wait_for 30 "redis-cli -h $rhost -p ${rport:-6379} ping" || fail "Redis did not start within 30 s (see /var/log/redis/ci.log)"
    else
      fail "Redis is not answering at $rhost:${rport:-6379}: start it (redis-server --port ${rport:-6379}), point TEST_REDIS_URL at one, or run TEST_SQL_BACKENDS=sqlite npm test"
    fi
  fi
fi

# Debian packages the suites drive: chromium (browser tests, unless TEST_E2E=0), nginx (load-balancer tests), wrk.
missing=()
if [ "${TEST_E2E:-1}" != 0 ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium fonts-nanum); fi
if [[ ",$backends," == *",mysql,"* ]] && ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then missing+=(nginx-light); fi
command -v wrk >/dev/null || missing+=(wrk) # the load-generator test (and npm run bench) drive wrk
if [ ${#missing[@]} -gt 0 ]; then
  if root && command -v apt-get >/dev/null; then
    say "installing from Debian: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/tmp/pretest-apt.log 2>&1 ||
      fail "could not install ${missing[*]} with apt-get (log: /tmp/pretest-apt.log); install them yourself, or skip the browser tests with TEST_E2E=0"
  else
    fail "missing ${missing[*]}: install them (sudo apt-get install ${missing[*]}), or skip the browser tests with TEST_E2E=0 npm test"
  fi
fi
exit 0
