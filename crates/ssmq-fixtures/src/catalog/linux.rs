//! Linux package pools: real package names with their RPM group or Debian section, summary and
//! upstream URL, plus families (Python and Perl modules, libraries, language packs, fonts) that
//! make a pool large enough for the 300-700 packages a real server reports.

use std::sync::OnceLock;

/// One package a Linux node may have installed.
#[derive(Debug)]
pub(crate) struct Package {
    pub(crate) name: String,
    /// RPM group (`System Environment/Base`, often `Unspecified`) or Debian section (`admin`).
    pub(crate) application_type: &'static str,
    pub(crate) summary: String,
    pub(crate) url: String,
    /// Debian `Architecture: all` packages (data, scripts) report `all` instead of the CPU.
    pub(crate) arch_independent: bool,
}

/// name|group|summary|url of packages found on a typical RPM-based server.
const RPM_CORE: &str = r#"acl|System Environment/Base|Access control list utilities|https://savannah.nongnu.org/projects/acl
amazon-ssm-agent|Amazon/Tools|Manage EC2 Instances using Systems Manager|https://github.com/aws/amazon-ssm-agent
at|System Environment/Daemons|Job spooling tools|http://ftp.debian.org/debian/pool/main/a/at
attr|System Environment/Base|Utilities for managing filesystem extended attributes|https://savannah.nongnu.org/projects/attr
audit|System Environment/Daemons|User space tools for kernel auditing|https://github.com/linux-audit/audit-userspace
audit-libs|System Environment/Libraries|Dynamic library for libaudit|https://github.com/linux-audit/audit-userspace
authselect|Unspecified|Configures authentication and identity sources from supported profiles|https://github.com/authselect/authselect
basesystem|System Environment/Base|The skeleton package which defines a simple Linux system|
bash|System Environment/Shells|The GNU Bourne Again shell|https://www.gnu.org/software/bash
bc|Applications/Engineering|GNU's bc (a numeric processing language) and dc (a calculator)|https://www.gnu.org/software/bc/
bind-libs|System Environment/Libraries|Libraries used by the BIND DNS packages|https://www.isc.org/downloads/bind/
bind-utils|Applications/System|Utilities for querying DNS name servers|https://www.isc.org/downloads/bind/
binutils|Development/Tools|A GNU collection of binary utilities|https://sourceware.org/binutils
bzip2|Applications/File|A file compression utility|https://sourceware.org/bzip2/
bzip2-libs|System Environment/Libraries|Libraries for applications using bzip2|https://sourceware.org/bzip2/
ca-certificates|System Environment/Base|The Mozilla CA root certificate bundle|https://fedoraproject.org/wiki/CA-Certificates
chrony|System Environment/Daemons|An NTP client/server|https://chrony-project.org
cloud-init|System Environment/Base|Cloud instance init scripts|https://github.com/canonical/cloud-init
cloud-utils-growpart|System Environment/Base|Script for growing a partition|https://github.com/canonical/cloud-utils
coreutils|System Environment/Base|A set of basic GNU tools commonly used in shell scripts|https://www.gnu.org/software/coreutils/
cpio|Applications/Archiving|A GNU archiving program|https://www.gnu.org/software/cpio/
cracklib|System Environment/Libraries|A password-checking library|https://github.com/cracklib/cracklib
cronie|System Environment/Base|Cron daemon for executing programs at set times|https://github.com/cronie-crond/cronie
crypto-policies|Unspecified|System-wide crypto policies|https://gitlab.com/redhat-crypto/fedora-crypto-policies
curl|Applications/Internet|A utility for getting files from remote servers (FTP, HTTP, and others)|https://curl.se/
cyrus-sasl-lib|System Environment/Libraries|Shared libraries needed by applications which use Cyrus SASL|https://www.cyrusimap.org/sasl/
dbus|System Environment/Daemons|D-BUS message bus|https://www.freedesktop.org/wiki/Software/dbus/
device-mapper|System Environment/Base|Device mapper utility|https://sourceware.org/dm/
diffutils|Applications/Text|A GNU collection of diff utilities|https://www.gnu.org/software/diffutils/
dnf|System Environment/Base|Package manager|https://github.com/rpm-software-management/dnf
dosfstools|Applications/System|Utilities for making and checking MS-DOS FAT filesystems on Linux|https://github.com/dosfstools/dosfstools
dracut|System Environment/Base|Initramfs generator using udev|https://dracut.wiki.kernel.org/
e2fsprogs|System Environment/Base|Utilities for managing ext2, ext3, and ext4 file systems|http://e2fsprogs.sourceforge.net/
ec2-hibinit-agent|System Environment/Daemons|Hibernation setup utility for AWS EC2|https://github.com/aws/amazon-ec2-hibinit-agent
ec2-instance-connect|System Environment/Daemons|EC2 instance scripting and configuration for EC2 Instance Connect|https://github.com/aws/aws-ec2-instance-connect-config
ec2-utils|System Environment/Base|A set of tools for running in EC2|https://github.com/aws/amazon-ec2-utils
elfutils-libelf|System Environment/Libraries|Library to read and write ELF files|http://elfutils.org/
ethtool|Applications/System|Settings tool for Ethernet NICs|https://www.kernel.org/pub/software/network/ethtool/
expat|System Environment/Libraries|An XML parser library|https://libexpat.github.io/
file|Applications/File|Utility for determining file types|https://www.darwinsys.com/file/
file-libs|System Environment/Libraries|Libraries for applications using libmagic|https://www.darwinsys.com/file/
filesystem|System Environment/Base|The basic directory layout for a Linux system|https://pagure.io/filesystem
findutils|Applications/File|The GNU versions of find utilities (find and xargs)|https://www.gnu.org/software/findutils/
gawk|Applications/Text|The GNU version of the AWK text processing utility|https://www.gnu.org/software/gawk/
gdbm|System Environment/Libraries|A GNU set of database routines which use extensible hashing|https://www.gnu.org/software/gdbm/
gettext|Development/Tools|GNU libraries and utilities for producing multi-lingual messages|https://www.gnu.org/software/gettext/
git|Development/Tools|Fast Version Control System|https://git-scm.com/
glib2|System Environment/Libraries|A library of handy utility functions|https://www.gtk.org
glibc|System Environment/Libraries|The GNU libc libraries|https://www.gnu.org/software/glibc/
glibc-common|System Environment/Base|Common binaries and locale data for glibc|https://www.gnu.org/software/glibc/
gmp|System Environment/Libraries|A GNU arbitrary precision library|https://gmplib.org/
gnupg2|Applications/System|Utility for secure communication and data storage|https://www.gnupg.org/
gnutls|System Environment/Libraries|A TLS protocol implementation|https://www.gnutls.org/
gpgme|Applications/System|GnuPG Made Easy - high level crypto API|https://gnupg.org/related_software/gpgme/
grep|Applications/Text|Pattern matching utilities|https://www.gnu.org/software/grep/
groff-base|System Environment/Base|Parts of the groff formatting system required to display manual pages|https://www.gnu.org/software/groff/
grub2-common|System Environment/Base|grub2 common layout|https://www.gnu.org/software/grub/
grub2-tools|System Environment/Base|Support tools for GRUB.|https://www.gnu.org/software/grub/
gzip|Applications/File|The GNU data compression program|https://www.gnu.org/software/gzip/
hostname|Applications/System|Utility to set/show the host name or domain name|https://github.com/hostname/hostname
htop|Applications/System|Interactive process viewer|https://htop.dev/
httpd|System Environment/Daemons|Apache HTTP Server|https://httpd.apache.org/
hwdata|System Environment/Base|Hardware identification and configuration data|https://github.com/vcrhonek/hwdata
info|System Environment/Base|A stand-alone TTY-based reader for GNU texinfo documentation|https://www.gnu.org/software/texinfo/
iproute|Applications/System|Advanced IP routing and network device configuration tools|https://kernel.org/pub/linux/utils/net/iproute2/
iptables-libs|System Environment/Libraries|iptables libraries|https://www.netfilter.org/
iputils|System Environment/Daemons|Network monitoring tools including ping|https://github.com/iputils/iputils
irqbalance|System Environment/Base|IRQ balancing daemon|https://github.com/Irqbalance/irqbalance
jq|Applications/System|Command-line JSON processor|https://jqlang.github.io/jq/
kbd|System Environment/Base|Tools for configuring the console (keyboard, virtual terminals, etc.)|https://kbd-project.org/
kernel|System Environment/Kernel|The Linux kernel|https://www.kernel.org/
kernel-tools|Development/System|Assortment of tools for the Linux kernel|https://www.kernel.org/
keyutils-libs|System Environment/Libraries|Key utilities library|https://people.redhat.com/~dhowells/keyutils/
kmod|System Environment/Kernel|Linux kernel module management utilities|https://git.kernel.org/pub/scm/utils/kernel/kmod/kmod.git
krb5-libs|System Environment/Libraries|The non-admin shared libraries used by Kerberos 5|https://web.mit.edu/kerberos/www/
less|Applications/Text|A text file browser similar to more, but better|https://www.greenwoodsoftware.com/less/
libacl|System Environment/Libraries|Dynamic library for access control list support|https://savannah.nongnu.org/projects/acl
libblkid|System Environment/Libraries|Block device ID library|https://en.wikipedia.org/wiki/Util-linux
libcap|System Environment/Libraries|Library for getting and setting POSIX.1e capabilities|https://sites.google.com/site/fullycapable/
libcurl|System Environment/Libraries|A library for getting files from web servers|https://curl.se/
libdb|System Environment/Libraries|The Berkeley DB database library for C|https://www.oracle.com/database/berkeley-db/
libffi|System Environment/Libraries|A portable foreign function interface library|https://sourceware.org/libffi
libgcc|System Environment/Libraries|GCC version 11 shared support library|https://gcc.gnu.org
libgcrypt|System Environment/Libraries|A general-purpose cryptography library|https://www.gnupg.org/
libmount|System Environment/Libraries|Device mounting library|https://en.wikipedia.org/wiki/Util-linux
libnghttp2|System Environment/Libraries|A library implementing the HTTP/2 protocol|https://nghttp2.org/
libselinux|System Environment/Libraries|SELinux library and simple utilities|https://github.com/SELinuxProject/selinux/wiki
libsepol|System Environment/Libraries|SELinux binary policy manipulation library|https://github.com/SELinuxProject/selinux/wiki
libssh2|System Environment/Libraries|A library implementing the SSH2 protocol|https://www.libssh2.org/
libstdc++|System Environment/Libraries|GNU Standard C++ Library|https://gcc.gnu.org
libxml2|System Environment/Libraries|Library providing XML and HTML support|https://gitlab.gnome.org/GNOME/libxml2/-/wikis/home
libzstd|System Environment/Libraries|Zstd shared library|https://github.com/facebook/zstd
logrotate|System Environment/Base|Rotates, compresses, removes and mails system log files|https://github.com/logrotate/logrotate
lsof|Development/Debuggers|A utility which lists open files on a Linux/UNIX system|https://github.com/lsof-org/lsof
lua-libs|Development/Languages|Libraries for lua|https://www.lua.org/
lvm2|System Environment/Base|Userland logical volume management tools|https://sourceware.org/lvm2
lz4-libs|System Environment/Libraries|Libaries for lz4|https://lz4.github.io/lz4/
make|Development/Tools|A GNU tool which simplifies the build process for users|https://www.gnu.org/software/make/
man-db|System Environment/Base|Tools for searching and reading man pages|https://www.nongnu.org/man-db/
mariadb105|Applications/Databases|A very fast and robust SQL database server|https://mariadb.org
nano|Applications/Editors|A small text editor|https://www.nano-editor.org
ncurses|System Environment/Base|Ncurses support utilities|https://invisible-island.net/ncurses/ncurses.html
ncurses-libs|System Environment/Libraries|Ncurses libraries|https://invisible-island.net/ncurses/ncurses.html
net-tools|System Environment/Base|Basic networking tools|https://sourceforge.net/projects/net-tools/
nfs-utils|System Environment/Daemons|NFS utilities and supporting clients and daemons for the kernel NFS server|https://linux-nfs.org/
nginx|System Environment/Daemons|A high performance web server and reverse proxy server|https://nginx.org
nodejs|Development/Languages|JavaScript runtime|https://nodejs.org/
nspr|System Environment/Libraries|Netscape Portable Runtime|https://www-archive.mozilla.org/projects/nspr/
nss|System Environment/Libraries|Network Security Services|https://www-archive.mozilla.org/projects/security/pki/nss/
nss-util|System Environment/Libraries|Network Security Services Utilities Library|https://www-archive.mozilla.org/projects/security/pki/nss/
openldap|System Environment/Daemons|LDAP support libraries|https://www.openldap.org/
openssh|Applications/Internet|An open source implementation of SSH protocol version 2|https://www.openssh.com/portable.html
openssh-clients|Applications/Internet|An open source SSH client applications|https://www.openssh.com/portable.html
openssh-server|System Environment/Daemons|An open source SSH server daemon|https://www.openssh.com/portable.html
openssl|System Environment/Libraries|Utilities from the general purpose cryptography library with TLS implementation|https://www.openssl.org/
openssl-libs|System Environment/Libraries|A general purpose cryptography library with TLS implementation|https://www.openssl.org/
p11-kit|System Environment/Libraries|Library for loading and sharing PKCS#11 modules|https://p11-glue.freedesktop.org/p11-kit.html
pam|System Environment/Base|An extensible library which provides authentication for applications|http://www.linux-pam.org/
passwd|System Environment/Base|An utility for setting or changing passwords using PAM|https://pagure.io/passwd
pcre2|System Environment/Libraries|Perl-compatible regular expression library|https://www.pcre.org/
perl-interpreter|Development/Languages|Standalone executable Perl interpreter|https://www.perl.org/
policycoreutils|System Environment/Base|SELinux policy core utilities|https://github.com/SELinuxProject/selinux
popt|System Environment/Libraries|C library for parsing command line parameters|https://github.com/rpm-software-management/popt
postgresql15|Applications/Databases|PostgreSQL client programs|https://www.postgresql.org/
procps-ng|Applications/System|System and process monitoring utilities|https://sourceforge.net/projects/procps-ng/
psmisc|Applications/System|Utilities for managing processes on your system|https://gitlab.com/psmisc/psmisc
python3|Development/Languages|Python 3 interpreter|https://www.python.org/
python3-libs|Development/Languages|Python runtime libraries|https://www.python.org/
qemu-guest-agent|System Environment/Daemons|QEMU guest agent|https://www.qemu.org/
readline|System Environment/Libraries|A library for editing typed command lines|https://tiswww.case.edu/php/chet/readline/rltop.html
rpm|System Environment/Base|The RPM package management system|https://rpm.org/
rpm-libs|System Environment/Libraries|Libraries for manipulating RPM packages|https://rpm.org/
rsync|Applications/Internet|A program for synchronizing files over a network|https://rsync.samba.org/
rsyslog|System Environment/Daemons|Enhanced system logging and kernel message trapping daemon|https://www.rsyslog.com/
sed|Applications/Text|A GNU stream text editor|https://www.gnu.org/software/sed/
selinux-policy|System Environment/Base|SELinux policy configuration|https://github.com/fedora-selinux/selinux-policy
setup|System Environment/Base|A set of system configuration and setup files|https://pagure.io/setup/
shadow-utils|System Environment/Base|Utilities for managing accounts and shadow password files|https://github.com/shadow-maint/shadow
sqlite-libs|System Environment/Libraries|Shared library for the sqlite3 embeddable SQL database engine|https://www.sqlite.org/
strace|Development/Debuggers|Tracks and displays system calls associated with a running process|https://strace.io
sudo|Applications/System|Allows restricted root access for specified users|https://www.sudo.ws
systemd|System Environment/Base|System and Service Manager|https://systemd.io
systemd-libs|System Environment/Libraries|systemd libraries|https://systemd.io
systemd-udev|System Environment/Base|Rule-based device node and kernel event manager|https://systemd.io
tar|Applications/Archiving|GNU file archiving program|https://www.gnu.org/software/tar/
tcpdump|Applications/Internet|A network traffic monitoring tool|https://www.tcpdump.org
tmux|Applications/System|A terminal multiplexer|https://tmux.github.io/
tzdata|System Environment/Base|Timezone data|https://www.iana.org/time-zones
unzip|Applications/Archiving|A utility for unpacking zip files|http://infozip.sourceforge.net
util-linux|System Environment/Base|A collection of basic system utilities|https://en.wikipedia.org/wiki/Util-linux
vim-minimal|Applications/Editors|A minimal version of the VIM editor|https://www.vim.org/
wget|Applications/Internet|A utility for retrieving files using the HTTP or FTP protocols|https://www.gnu.org/software/wget/
which|Applications/System|Displays where a particular program in your path is located|https://savannah.gnu.org/projects/which/
xfsprogs|System Environment/Base|Utilities for managing the XFS filesystem|https://xfs.wiki.kernel.org
xz|Applications/File|LZMA compression utilities|https://tukaani.org/xz/
xz-libs|System Environment/Libraries|Libraries for decoding LZMA compression|https://tukaani.org/xz/
yum|System Environment/Base|Package manager|https://github.com/rpm-software-management/dnf
zip|Applications/Archiving|A file compression and packaging utility compatible with PKZIP|http://infozip.sourceforge.net
zlib|System Environment/Libraries|Compression and decompression library|https://www.zlib.net/"#;

/// name|section|summary|url of packages found on a typical Ubuntu 22.04 server.
const DEB_CORE: &str = r#"adduser|admin|add and remove users and groups|
amazon-ec2-utils|admin|utilities and udev rules for Amazon EC2|https://github.com/aws/amazon-ec2-utils
apparmor|admin|user-space parser utility for AppArmor|https://apparmor.net/
apport|utils|automatically generate crash reports for debugging|https://wiki.ubuntu.com/Apport
apt|admin|commandline package manager|
apt-utils|admin|package management related utility programs|
base-files|admin|Debian base system miscellaneous files|
base-passwd|admin|Debian base system master password and group files|
bash|shells|GNU Bourne Again SHell|http://tiswww.case.edu/php/chet/bash/bashtop.html
bash-completion|shells|programmable completion for the bash shell|https://github.com/scop/bash-completion
bc|math|GNU bc arbitrary precision calculator language|
bind9-dnsutils|net|Clients provided with BIND 9|https://www.isc.org/downloads/bind/
bind9-libs|libs|Shared Libraries used by BIND 9|https://www.isc.org/downloads/bind/
bsdutils|utils|basic utilities from 4.4BSD-Lite|https://www.kernel.org/pub/linux/utils/util-linux/
btrfs-progs|admin|Checksumming Copy on Write Filesystem utilities|http://btrfs.wiki.kernel.org/
busybox-static|shells|Standalone rescue shell with tons of builtin utilities|http://www.busybox.net
ca-certificates|misc|Common CA certificates|
chrony|net|Versatile implementation of the Network Time Protocol|https://chrony.tuxfamily.org
cloud-guest-utils|admin|cloud guest utilities|https://launchpad.net/cloud-utils
cloud-init|admin|initialization and customization tool for cloud instances|https://cloud-init.io/
command-not-found|admin|Suggest installation of packages in interactive bash sessions|https://launchpad.net/command-not-found
console-setup|utils|console font and keymap setup program|
coreutils|utils|GNU core utilities|http://gnu.org/software/coreutils
cron|admin|process scheduling daemon|
curl|web|command line tool for transferring data with URL syntax|https://curl.haxx.se
dash|shells|POSIX-compliant shell|http://gondor.apana.org.au/~herbert/dash/
dbus|admin|simple interprocess messaging system (daemon and utilities)|https://dbus.freedesktop.org/
debconf|admin|Debian configuration management system|
debianutils|utils|Miscellaneous utilities specific to Debian|
diffutils|utils|File comparison utilities|https://www.gnu.org/software/diffutils/
dmidecode|utils|SMBIOS/DMI table decoder|https://nongnu.org/dmidecode/
dpkg|admin|Debian package management system|https://wiki.debian.org/Teams/Dpkg
e2fsprogs|admin|ext2/ext3/ext4 file system utilities|http://e2fsprogs.sourceforge.net
ec2-instance-connect|admin|Configures ssh daemon to accept EC2 Instance Connect ssh keys|https://github.com/aws/aws-ec2-instance-connect-config
ethtool|net|display or change Ethernet device settings|https://www.kernel.org/pub/software/network/ethtool/
fdisk|utils|collection of partitioning utilities|https://www.kernel.org/pub/linux/utils/util-linux/
file|utils|Recognize the type of data in a file using "magic" numbers|https://www.darwinsys.com/file/
findutils|utils|utilities for finding files--find, xargs|https://savannah.gnu.org/projects/findutils/
gawk|interpreters|GNU awk, a pattern scanning and processing language|https://www.gnu.org/software/gawk/
gcc-12-base|libs|GCC, the GNU Compiler Collection (base package)|http://gcc.gnu.org/
git|vcs|fast, scalable, distributed revision control system|https://git-scm.com/
gnupg|utils|GNU privacy guard - a free PGP replacement|https://www.gnupg.org/
gpgv|utils|GNU privacy guard - signature verification tool|https://www.gnupg.org/
grep|utils|GNU grep, egrep and fgrep|https://www.gnu.org/software/grep/
grub-common|admin|GRand Unified Bootloader (common files)|https://www.gnu.org/software/grub/
gzip|utils|GNU compression utilities|https://www.gnu.org/software/gzip/
hostname|admin|utility to set/show the host name or domain name|
htop|utils|interactive processes viewer|https://htop.dev/
init-system-helpers|admin|helper tools for all init systems|
iproute2|net|networking and traffic control tools|https://wiki.linuxfoundation.org/networking/iproute2
iptables|net|administration tools for packet filtering and NAT|https://www.netfilter.org/
iputils-ping|net|Tools to test the reachability of network hosts|https://github.com/iputils/iputils#readme
jq|utils|lightweight and flexible command-line JSON processor|https://github.com/stedolan/jq
kmod|admin|tools for managing Linux kernel modules|https://git.kernel.org/pub/scm/utils/kernel/kmod/kmod.git
landscape-common|admin|Landscape administration system client - Common files|https://landscape.canonical.com/
less|text|pager program similar to more|http://www.greenwoodsoftware.com/less/
linux-aws|kernel|Complete Linux kernel for Amazon Web Services (AWS) systems.|
linux-base|kernel|Linux image base package|
locales|localization|GNU C Library: National Language (locale) data [support]|https://www.gnu.org/software/libc/libc.html
login|admin|system login tools|https://github.com/shadow-maint/shadow
logrotate|admin|Log rotation utility|https://github.com/logrotate/logrotate
lsb-release|misc|Linux Standard Base version reporting utility|
lshw|utils|information about hardware configuration|https://ezix.org/project/wiki/HardwareLiSter
lsof|utils|utility to list open files|https://github.com/lsof-org/lsof
lvm2|admin|Linux Logical Volume Manager|https://sourceware.org/lvm2/
man-db|doc|tools for reading manual pages|https://nongnu.org/man-db/
mawk|interpreters|Pattern scanning and text processing language|https://invisible-island.net/mawk/
mount|admin|tools for mounting and manipulating filesystems|https://www.kernel.org/pub/linux/utils/util-linux/
nano|editors|small, friendly text editor inspired by Pico|https://www.nano-editor.org/
netplan.io|net|YAML network configuration abstraction for various backends|https://netplan.io/
networkd-dispatcher|utils|Dispatcher service for systemd-networkd connection status changes|https://gitlab.com/craftyguy/networkd-dispatcher
nginx|httpd|small, powerful, scalable web/proxy server|https://nginx.org
ntfs-3g|otherosfs|read/write NTFS driver for FUSE|https://github.com/tuxera/ntfs-3g/wiki
open-iscsi|net|iSCSI initiator tools|https://www.open-iscsi.com/
openssh-client|net|secure shell (SSH) client, for secure access to remote machines|https://www.openssh.com/
openssh-server|net|secure shell (SSH) server, for secure access from remote machines|https://www.openssh.com/
openssl|utils|Secure Sockets Layer toolkit - cryptographic utility|https://www.openssl.org/
passwd|admin|change and administer password and group data|https://github.com/shadow-maint/shadow
perl|perl|Larry Wall's Practical Extraction and Report Language|http://dev.perl.org/perl5/
perl-base|perl|minimal Perl system|http://dev.perl.org/perl5/
plymouth|x11|boot animation, logger and I/O multiplexer|http://www.freedesktop.org/wiki/Software/Plymouth
policykit-1|admin|framework for managing administrative policies and privileges|https://www.freedesktop.org/wiki/Software/polkit/
pollinate|utils|seed the pseudo random number generator|http://launchpad.net/pollinate
postgresql-client-14|database|front-end programs for PostgreSQL 14|http://www.postgresql.org/
procps|admin|/proc file system utilities|https://gitlab.com/procps-ng/procps
psmisc|admin|utilities that use the proc file system|https://gitlab.com/psmisc/psmisc
python3|python|interactive high-level object-oriented language (default python3 version)|https://www.python.org/
python3.10|python|Interactive high-level object-oriented language (version 3.10)|
readline-common|utils|GNU readline and history libraries, common files|https://tiswww.case.edu/php/chet/readline/rltop.html
rsync|net|fast, versatile, remote (and local) file-copying tool|https://rsync.samba.org/
rsyslog|admin|reliable system and kernel logging daemon|https://www.rsyslog.com/
screen|misc|terminal multiplexer with VT100/ANSI terminal emulation|https://savannah.gnu.org/projects/screen
sed|utils|GNU stream editor for filtering/transforming text|https://www.gnu.org/software/sed/
snapd|devel|Daemon and tooling that enable snap packages|https://github.com/snapcore/snapd
software-properties-common|admin|manage the repositories that you install software from (common)|https://launchpad.net/software-properties
sosreport|admin|Set of tools to gather troubleshooting data from a system|https://github.com/sosreport/sos
strace|utils|System call tracer|https://strace.io
sudo|admin|Provide limited super user privileges to specific users|https://www.sudo.ws/
systemd|admin|system and service manager|https://www.freedesktop.org/wiki/Software/systemd
systemd-sysv|admin|system and service manager - SysV links|https://www.freedesktop.org/wiki/Software/systemd
systemd-timesyncd|admin|minimalistic service to synchronize local time with NTP servers|https://www.freedesktop.org/wiki/Software/systemd
tar|utils|GNU version of the tar archiving utility|https://www.gnu.org/software/tar/
tcpdump|net|command-line network traffic analyzer|https://www.tcpdump.org/
tmux|admin|terminal multiplexer|https://tmux.github.io/
tzdata|localization|time zone and daylight-saving time data|https://www.iana.org/time-zones
ubuntu-advantage-tools|misc|management tools for Ubuntu Pro|
ubuntu-minimal|metapackages|Minimal core of Ubuntu|
ubuntu-server|metapackages|The Ubuntu Server system|
ucf|utils|Update Configuration File(s): preserve user changes to config files|
udev|admin|/dev/ and hotplug management daemon|https://www.freedesktop.org/wiki/Software/systemd
ufw|admin|program for managing a Netfilter firewall|https://launchpad.net/ufw
unattended-upgrades|admin|automatic installation of security upgrades|https://wiki.debian.org/UnattendedUpgrades
unzip|utils|De-archiver for .zip files|http://www.info-zip.org/UnZip.html
update-notifier-common|gnome|Files shared between update-notifier and other packages|
util-linux|utils|miscellaneous system utilities|https://www.kernel.org/pub/linux/utils/util-linux/
vim|editors|Vi IMproved - enhanced vi editor|https://www.vim.org/
wget|web|retrieves files from the web|https://www.gnu.org/software/wget/
xfsprogs|admin|Utilities for managing the XFS filesystem|https://xfs.wiki.kernel.org/
xz-utils|utils|XZ-format compression utilities|https://tukaani.org/xz/
zlib1g|libs|compression library - runtime|http://zlib.net/
zstd|utils|fast lossless compression algorithm -- CLI tool|https://github.com/facebook/zstd"#;

const PYTHON_MODULES: &str = "attrs babel bcrypt blinker boto3 botocore cachetools certifi cffi chardet charset-normalizer click colorama configobj cryptography dateutil dbus debian distro docutils idna importlib-metadata jinja2 jmespath jsonpatch jsonpointer jsonschema jwt keyring launchpadlib lazr-restfulclient lazr-uri markdown markupsafe more-itertools netaddr netifaces oauthlib packaging pexpect pip ply prettytable psutil ptyprocess pyasn1 pycparser pycurl pygments pyparsing pyrsistent pyserial pysocks pytz pyyaml requests rsa s3transfer secretstorage setuptools simplejson six systemd toml urllib3 wadllib wheel zipp lxml pillow numpy gpg hawkey libdnf libselinux libsemanage audit policycoreutils setools rpm dnf inotify linux-procfs pyudev perf ruamel-yaml sqlalchemy werkzeug flask greenlet";
const PERL_MODULES: &str = "Carp Class-Struct Data-Dumper Digest Digest-MD5 Encode Errno Exporter Fcntl File-Basename File-Path File-Temp File-stat FileHandle Getopt-Long Getopt-Std HTTP-Tiny IO IO-Socket-IP IPC-Open3 MIME-Base64 POSIX PathTools Pod-Escapes Pod-Perldoc Pod-Simple Pod-Usage Scalar-List-Utils SelectSaver Socket Storable Symbol Term-ANSIColor Term-Cap Text-ParseWords Text-Tabs+Wrap Time-Local Unicode-Normalize constant if interpreter libs macros mro overload overloading parent podlators vars Text-Balanced Math-BigInt Math-Complex Thread-Queue threads threads-shared Git Error TermReadKey URI libwww-perl Net-SSLeay IO-Socket-SSL Mozilla-CA Time-HiRes version DBI DBD-MySQL JSON-PP B Benchmark Config-Extensions";
const LIBRARY_STEMS: &str = "aio archive arch-common assuan atomic brotli bsd cap-ng cbor com_err dbus-glib device-mapper-event dwarf edit elf event evdev fdisk fido2 fstrm gcc_s gdbm_compat gomp gpg-error grpc hogweed icu idn2 inih ipset jansson jpeg-turbo jose kcapi ldb lmdb maxminddb mnl mpfr msgpack ndctl netfilter_conntrack nettle newt nfnetlink nftnl nl3 npth oath pcap pciaccess pipeline pkgconf png protobuf psl pwquality rtas sasl seccomp semanage smartcols sodium ss ssh svn2 talloc tasn1 tdb tevent tiff tirpc tool unistring user usb uuid uv verto webp xcrypt xkbcommon xmlsec1 xslt yaml";
const RUBY_GEMS: &str = "bigdecimal bundler concurrent-ruby connection_pool did_you_mean erb io-console irb json minitest net-telnet power_assert psych racc rake rbs rdoc rexml rss test-unit typeprof xmlrpc";
const X11_LIBRARIES: &str = "X11 X11-common X11-xcb Xau Xcomposite Xcursor Xdamage Xext Xfixes Xft Xi Xinerama Xrandr Xrender Xtst Xxf86vm xcb xkbfile xshmfence";
const TEXLIVE: &str = "base kpathsea lib dvipdfmx dvips graphics latex metafont mfware pdftex tetex texlive-scripts tools xetex amsmath babel booktabs caption cm collection-basic epstopdf fancyhdr geometry hyperref l3kernel lm oberdiek pgf url xcolor";
const NODE_MODULES: &str = "abbrev ansi-regex ansi-styles aproba are-we-there-yet balanced-match brace-expansion builtins chalk chownr color-convert color-name concat-map console-control-strings debug delegates depd encoding fs-minipass glob graceful-fs has-unicode inflight inherits ini isexe lru-cache minimatch minipass mkdirp ms nopt npmlog once osenv path-is-absolute rimraf semver set-blocking signal-exit string-width strip-ansi supports-color tar unique-filename which wide-align wrappy yallist";
const LANGPACKS: &str = "af am ar as ast az be bg bn br bs ca cs cy da de el en es et eu fa fi fr ga gl gu he hi hr hu hy id is it ja ka kk km kn ko lt lv mk ml mr ms nb nl pa pl pt ro ru sk sl sq sr sv ta te th tr uk vi zh";
const FONT_SCRIPTS: &str = "sans serif mono sans-arabic sans-armenian sans-bengali sans-devanagari sans-ethiopic sans-georgian sans-gujarati sans-gurmukhi sans-hebrew sans-kannada sans-khmer sans-lao sans-malayalam sans-myanmar sans-oriya sans-sinhala sans-tamil sans-telugu sans-thai serif-armenian serif-bengali serif-devanagari serif-georgian serif-hebrew serif-thai";

/// A family of packages: one for each word of `words`, its name, summary and URL made from
/// templates in which `{w}` stands for the word, `{lc}` for it in lower case, `{perl}` for it
/// with `-` as `::`, and `{n}` for a library's soname (1 to 4 by the word's position).
struct Family {
    words: &'static str,
    name: &'static str,
    group: &'static str,
    summary: &'static str,
    url: &'static str,
    arch_independent: bool,
}

impl Family {
    const fn new(
        words: &'static str,
        name: &'static str,
        group: &'static str,
        summary: &'static str,
        url: &'static str,
        arch_independent: bool,
    ) -> Family {
        Family {
            words,
            name,
            group,
            summary,
            url,
            arch_independent,
        }
    }

    fn packages(&self) -> impl Iterator<Item = Package> + '_ {
        self.words.split_whitespace().enumerate().map(|(i, word)| {
            let fill = |template: &str| {
                template
                    .replace("{w}", word)
                    .replace("{lc}", &word.to_lowercase())
                    .replace("{perl}", &word.replace('-', "::"))
                    .replace("{n}", &(1 + i % 4).to_string())
            };
            Package {
                name: fill(self.name),
                application_type: self.group,
                summary: fill(self.summary),
                url: fill(self.url),
                arch_independent: self.arch_independent,
            }
        })
    }
}

#[rustfmt::skip]
const RPM_FAMILIES: &[Family] = &[
    Family::new(PYTHON_MODULES, "python3-{w}", "Development/Libraries", "The {w} module for Python 3", "https://pypi.org/project/{w}/", false),
    Family::new(PERL_MODULES, "perl-{w}", "Development/Libraries", "Perl module {perl}", "https://metacpan.org/dist/{w}", false),
    Family::new(LIBRARY_STEMS, "lib{w}", "System Environment/Libraries", "The lib{w} shared library", "", false),
    Family::new(RUBY_GEMS, "rubygem-{w}", "Development/Languages", "Ruby gem {w}", "https://rubygems.org/gems/{w}", false),
    Family::new(X11_LIBRARIES, "lib{w}", "System Environment/Libraries", "X.Org lib{w} runtime library", "https://www.x.org", false),
    Family::new(TEXLIVE, "texlive-{w}", "Applications/Publishing", "TeX Live {w} package", "http://tug.org/texlive/", false),
    Family::new(LANGPACKS, "glibc-langpack-{w}", "Unspecified", "Locale data for {w}", "https://www.gnu.org/software/glibc/", false),
    Family::new(FONT_SCRIPTS, "google-noto-{w}-fonts", "User Interface/X", "Noto {w} font", "https://fonts.google.com/noto", false),
];

#[rustfmt::skip]
const DEB_FAMILIES: &[Family] = &[
    Family::new(PYTHON_MODULES, "python3-{w}", "python", "Python 3 library: {w}", "https://pypi.org/project/{w}/", true),
    Family::new(PERL_MODULES, "lib{lc}-perl", "perl", "Perl module {perl}", "https://metacpan.org/dist/{w}", true),
    Family::new(LIBRARY_STEMS, "lib{w}{n}", "libs", "{w} shared library", "", false),
    Family::new(LIBRARY_STEMS, "lib{w}-dev", "libdevel", "{w} development files", "", false),
    Family::new(RUBY_GEMS, "ruby-{w}", "ruby", "Ruby library {w}", "https://rubygems.org/gems/{w}", true),
    Family::new(X11_LIBRARIES, "lib{lc}-6", "libs", "X11 client-side library {lc}", "https://www.x.org", false),
    Family::new(X11_LIBRARIES, "lib{lc}-dev", "libdevel", "X11 client-side library {lc} (development headers)", "https://www.x.org", false),
    Family::new(TEXLIVE, "texlive-{w}", "tex", "TeX Live: {w}", "http://www.tug.org/texlive/", true),
    Family::new(NODE_MODULES, "node-{w}", "javascript", "Node.js module {w}", "https://www.npmjs.com/package/{w}", true),
    Family::new(LANGPACKS, "language-pack-{w}-base", "translations", "translations for language {w}", "", true),
    Family::new(FONT_SCRIPTS, "fonts-noto-{w}", "fonts", "Noto {w} font", "https://fonts.google.com/noto", true),
];

/// The package pool of RPM-based distributions (Amazon Linux 2 and 2023, RHEL 9).
pub(crate) fn rpm_pool() -> &'static [Package] {
    static POOL: OnceLock<Vec<Package>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut pool = core_packages(RPM_CORE, false);
        let libs_base = pool.len();
        pool.extend(RPM_FAMILIES.iter().flat_map(Family::packages));
        // Build hosts carry the -devel halves of many libraries.
        let devel: Vec<Package> = pool[..libs_base]
            .iter()
            .chain(
                pool[libs_base..]
                    .iter()
                    .filter(|p| p.name.starts_with("lib")),
            )
            .filter(|p| p.application_type.contains("Libraries"))
            .map(|p| Package {
                name: format!("{}-devel", p.name),
                application_type: "Development/Libraries",
                summary: format!("Development files for {}", p.name),
                url: p.url.clone(),
                arch_independent: false,
            })
            .collect();
        pool.extend(devel);
        sort_and_dedup(pool)
    })
}

/// The package pool of Ubuntu.
pub(crate) fn deb_pool() -> &'static [Package] {
    static POOL: OnceLock<Vec<Package>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut pool = core_packages(DEB_CORE, true);
        pool.extend(DEB_FAMILIES.iter().flat_map(Family::packages));
        // Ubuntu keeps the previous kernels installed until autoremove.
        for abi in 1016..1023 {
            for flavour in ["linux-image", "linux-modules", "linux-headers"] {
                pool.push(Package {
                    name: format!("{flavour}-6.5.0-{abi}-aws"),
                    application_type: "kernel",
                    summary: format!("Linux kernel {flavour} for version 6.5.0 on 64 bit x86 SMP"),
                    url: String::new(),
                    arch_independent: false,
                });
            }
            pool.push(Package {
                name: format!("linux-aws-6.5-headers-6.5.0-{abi}"),
                application_type: "devel",
                summary: "Header files related to Linux kernel version 6.5.0".to_owned(),
                url: String::new(),
                arch_independent: true,
            });
        }
        sort_and_dedup(pool)
    })
}

fn core_packages(table: &'static str, debian: bool) -> Vec<Package> {
    table
        .lines()
        .map(|line| {
            let mut parts = line.split('|');
            let mut next = || parts.next().expect("catalog line has four fields");
            let (name, group, summary, url) = (next(), next(), next(), next());
            let arch_independent = debian
                && matches!(
                    group,
                    "misc" | "localization" | "doc" | "python" | "perl" | "metapackages"
                );
            Package {
                name: name.to_owned(),
                application_type: group,
                summary: summary.to_owned(),
                url: url.to_owned(),
                arch_independent,
            }
        })
        .collect()
}

fn sort_and_dedup(mut pool: Vec<Package>) -> Vec<Package> {
    pool.sort_by(|a, b| a.name.cmp(&b.name));
    pool.dedup_by(|a, b| a.name == b.name);
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pools_are_large_enough_for_real_fleets() {
        assert!(rpm_pool().len() >= 700, "rpm pool has {}", rpm_pool().len());
        assert!(deb_pool().len() >= 700, "deb pool has {}", deb_pool().len());
        for pool in [rpm_pool(), deb_pool()] {
            assert!(pool.windows(2).all(|pair| pair[0].name < pair[1].name));
        }
    }
}
