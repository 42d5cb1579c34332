#!/usr/bin/env bash
# Install what the real-WordPress tests need: Debian's wordpress, php-cli, php-mysql and
# mariadb-server (root, once per machine). The tests start and stop the servers themselves, in
# temporary directories on 127.0.0.1, so nothing is configured or started here.
# Usage: sudo scripts/wordpress_up.sh
set -euo pipefail
if [ -r /usr/share/wordpress/wp-settings.php ] && command -v php >/dev/null \
   && php -m | grep -qx mysqli && { command -v mariadbd || [ -x /usr/sbin/mariadbd ]; } >/dev/null; then
  echo "WordPress, PHP and MariaDB are installed."
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "run as root: it installs Debian packages" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends wordpress php-cli php-mysql mariadb-server >/dev/null
echo "Installed wordpress php-cli php-mysql mariadb-server."
