#!/usr/bin/env bash
# Builds the container images the Aspire AppHost asks for, from Debian packages, where no registry
# can be reached: CI machines without a pull path, and air-gapped sites that run the full stack too.
#
#   docker.io/library/postgres:18.3   the name Aspire.Hosting.PostgreSQL 13.6.5 asks for
#                                     (PostgresContainerImageTags). The server inside is Debian
#                                     bookworm's PostgreSQL (15), not 18.3: the name is the stand-in's
#                                     contract with Aspire, which uses a local image of that exact name
#                                     without pulling. Its entrypoint honours the official image's
#                                     documented variables: POSTGRES_USER (default postgres),
#                                     POSTGRES_PASSWORD, POSTGRES_DB (default: the user),
#                                     POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD and PGDATA
#                                     (default /var/lib/postgresql/data).
#
# An image that already exists is left alone (remove it to rebuild). Needs root, docker and debootstrap;
# MESH_DEBIAN_MIRROR picks the Debian mirror (default http://deb.debian.org/debian).
set -euo pipefail

POSTGRES_IMAGE=docker.io/library/postgres:18.3
MIRROR=${MESH_DEBIAN_MIRROR:-http://deb.debian.org/debian}

if docker image inspect "$POSTGRES_IMAGE" >/dev/null 2>&1; then
  echo "$POSTGRES_IMAGE: present"
  exit 0
fi

for tool in docker debootstrap; do
  command -v "$tool" >/dev/null || { echo "build-offline-images: $tool is missing" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"

echo "$POSTGRES_IMAGE: building from Debian bookworm's postgresql ($MIRROR)"
debootstrap --variant=minbase --include=postgresql bookworm "$root" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

# Trim what a server never reads: docs, man pages, locales, apt's lists and caches.
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
       "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/log/*
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +

# The cluster debootstrap's postinst created is not used; the entrypoint initialises PGDATA itself.
rm -rf "$root"/var/lib/postgresql/* "$root"/etc/postgresql/*

bindir=$(cd "$root" && ls -d usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$root/$bindir/postgres" ] || { echo "build-offline-images: no postgres binary in $bindir" >&2; exit 1; }

cat >"$root/usr/local/bin/docker-entrypoint.sh" <<'ENTRYPOINT'
#!/bin/bash
# Stand-in for the official postgres image's entrypoint (see eng/build-offline-images.sh).
set -euo pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
export PGDATA

# Options alone go to the server; anything but the server (e.g. 'bash') runs as given.
first=${1:-postgres}
if [ "${first#-}" != "$first" ] || [ $# -eq 0 ]; then
  set -- postgres "$@"
elif [ "$first" != postgres ]; then
  exec "$@"
fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  chmod 2775 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
    echo "Database is uninitialized and superuser password is not specified." >&2
    echo "  Set POSTGRES_PASSWORD, or POSTGRES_HOST_AUTH_METHOD=trust to allow connections without one." >&2
    exit 1
  fi

  pwfile=$(mktemp)
  printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
  # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of arguments, as in the official image.
  initdb --username="$POSTGRES_USER" --pwfile="$pwfile" ${POSTGRES_INITDB_ARGS:-}
  rm -f "$pwfile"

  auth=${POSTGRES_HOST_AUTH_METHOD:-}
  if [ -z "$auth" ]; then
    auth=$(postgres -C password_encryption -D "$PGDATA" 2>/dev/null || echo scram-sha-256)
  fi
  printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
  # Reachable from outside the container, on the standard port.
  printf "\nlisten_addresses = '*'\nport = 5432\n" >>"$PGDATA/postgresql.conf"

  if [ "$POSTGRES_DB" != postgres ]; then
    # Local socket only while initialising, as the official image does.
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" -w start
    PGPASSWORD="${POSTGRES_PASSWORD:-}" psql -v ON_ERROR_STOP=1 -h /var/run/postgresql \
      --username "$POSTGRES_USER" --no-password --dbname postgres \
      -c "CREATE DATABASE \"$POSTGRES_DB\""
    pg_ctl -D "$PGDATA" -m fast -w stop
  fi
  echo "PostgreSQL init process complete; ready for start up."
fi

exec "$@"
ENTRYPOINT
chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"

version=$(basename "$(dirname "$bindir")")
tar -C "$root" --numeric-owner -c . | docker import \
  --change 'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]' \
  --change 'CMD ["postgres"]' \
  --change "ENV PATH=/$bindir:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'EXPOSE 5432' \
  --change 'VOLUME /var/lib/postgresql' \
  --change "LABEL org.opencontainers.image.description=\"Stand-in for postgres:18.3: Debian bookworm's PostgreSQL $version (eng/build-offline-images.sh)\"" \
  - "$POSTGRES_IMAGE" >/dev/null

echo "$POSTGRES_IMAGE: built (PostgreSQL $version from Debian)"
