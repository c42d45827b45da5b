#!/usr/bin/env bash
# SPDX-FileCopyrightText: 2026 procedo contributors
# SPDX-License-Identifier: EUPL-1.2
#
# pg-check.sh tells whether the PostgreSQL server for the test suite answers:
# exit 0 and a line "PostgreSQL reachable at HOST:PORT", or exit 1 and a line
# saying why not. It reads PROCEDO_TEST_POSTGRES_URL (default
# postgres://postgres@127.0.0.1:5432/postgres) and uses pg_isready when it is
# installed, else a plain TCP connect through bash's /dev/tcp, so it needs no
# extra package.
#
# With --start, when the server is local and does not answer, it first tries
# to start the machine's PostgreSQL clusters (Debian's pg_ctlcluster) and
# waits up to 30 s for them. `make test-pg` uses it.
set -uo pipefail

url=${PROCEDO_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
start=false
[[ ${1:-} == --start ]] && start=true

# host:port from postgres://user:password@host:port/db?params, without the password.
rest=${url#*://}
rest=${rest%%/*}
rest=${rest%%\?*}
hostport=${rest##*@}
if [[ $hostport == \[* ]]; then # [::1]:5432
	host=${hostport#[}
	host=${host%%]*}
	port=${hostport##*]}
	port=${port#:}
else
	host=${hostport%%:*}
	port=${hostport#"$host"}
	port=${port#:}
fi
host=${host:-127.0.0.1}
port=${port:-5432}

reachable() {
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -t 3 -d "$url"
	else
		timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
	fi
}

if reachable; then
	echo "PostgreSQL reachable at $host:$port"
	exit 0
fi

if $start && [[ $host =~ ^(127\.0\.0\.1|localhost|::1)$ ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
	started=false
	for dir in /etc/postgresql/*/main; do
		[[ -d $dir ]] || continue
		version=$(basename "$(dirname "$dir")")
		pg_ctlcluster "$version" main status >/dev/null 2>&1 && continue # running already
		echo "PostgreSQL not answering at $host:$port; starting cluster $version/main"
		pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 && started=true
	done
	if $started; then
		for _ in $(seq 30); do
			if reachable; then
				echo "PostgreSQL reachable at $host:$port"
				exit 0
			fi
			sleep 1
		done
	fi
fi

echo "no PostgreSQL server answers at $host:$port (PROCEDO_TEST_POSTGRES_URL)"
exit 1
