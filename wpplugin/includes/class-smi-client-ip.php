<?php
/**
 * The visitor's real address behind trusted reverse proxies.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Resolves the client address: `REMOTE_ADDR`, unless it is one of the
 * site's trusted proxies (a CDN, a load balancer); then the right-most
 * `X-Forwarded-For` entry that is not a trusted proxy. Entries left of that
 * one were written by the visitor and are never believed.
 *
 * Trusted proxies come from `SMI_TRUSTED_PROXIES` in wp-config.php (a
 * comma- or space-separated string, or an array), else the Settings screen,
 * then the `smi_trusted_proxies` filter. Each is an address or a CIDR range.
 *
 * @since 1.1.0
 */
class SMI_Client_IP {

	/**
	 * Option holding the trusted proxies (one per line).
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const OPTION = 'smi_trusted_proxies';

	/**
	 * The trusted proxies, validated (invalid entries are dropped).
	 *
	 * @since 1.1.0
	 *
	 * @return string[] Addresses and CIDR ranges.
	 */
	public static function trusted_proxies(): array {
		if ( defined( 'SMI_TRUSTED_PROXIES' ) ) {
			$raw = SMI_TRUSTED_PROXIES;
		} else {
			$raw = get_option( self::OPTION, '' );
		}
		$list = self::parse_list( $raw );
		/**
		 * Filters the reverse proxies whose X-Forwarded-For is believed.
		 *
		 * @since 1.1.0
		 *
		 * @param string[] $list Addresses and CIDR ranges.
		 */
		$list = apply_filters( 'smi_trusted_proxies', $list );
		return self::parse_list( is_array( $list ) ? $list : array() );
	}

	/**
	 * Splits and validates a list of addresses and ranges.
	 *
	 * @since 1.1.0
	 *
	 * @param mixed $raw String (commas, spaces or new lines between entries) or array.
	 * @return string[] Valid entries, in order, without duplicates.
	 */
	public static function parse_list( $raw ): array {
		if ( is_string( $raw ) ) {
			$raw = preg_split( '/[\s,]+/', $raw, -1, PREG_SPLIT_NO_EMPTY );
		}
		$out = array();
		foreach ( (array) $raw as $entry ) {
			$entry = is_string( $entry ) ? strtolower( trim( $entry ) ) : '';
			if ( '' !== $entry && self::is_range( $entry ) && ! in_array( $entry, $out, true ) ) {
				$out[] = $entry;
			}
		}
		return $out;
	}

	/**
	 * Whether a string is an address or a CIDR range with a valid prefix.
	 *
	 * @since 1.1.0
	 *
	 * @param string $entry Candidate.
	 * @return bool
	 */
	public static function is_range( string $entry ): bool {
		$parts = explode( '/', $entry, 2 );
		$bin   = self::packed( $parts[0] );
		if ( null === $bin ) {
			return false;
		}
		if ( ! isset( $parts[1] ) ) {
			return true;
		}
		return ctype_digit( $parts[1] ) && (int) $parts[1] <= strlen( $bin ) * 8;
	}

	/**
	 * The client address for a request.
	 *
	 * @since 1.1.0
	 *
	 * @param array    $server  `$_SERVER` (unslashed).
	 * @param string[] $trusted Trusted proxies.
	 * @return string The address, or '' when REMOTE_ADDR is missing or invalid.
	 */
	public static function resolve( array $server, array $trusted ): string {
		$remote = self::normalize( (string) ( $server['REMOTE_ADDR'] ?? '' ) );
		if ( '' === $remote || ! self::is_trusted( $remote, $trusted ) ) {
			return $remote;
		}
		$forwarded = (string) ( $server['HTTP_X_FORWARDED_FOR'] ?? '' );
		$hops      = array_reverse( array_map( 'trim', explode( ',', $forwarded ) ) );
		$client    = $remote;
		foreach ( $hops as $hop ) {
			$address = self::normalize( $hop );
			if ( '' === $address ) {
				// A trusted proxy would not write garbage: stop at the last proxy we believe.
				return $client;
			}
			$client = $address;
			if ( ! self::is_trusted( $address, $trusted ) ) {
				return $address;
			}
		}
		// Every hop is a trusted proxy: the left-most one is as close to the visitor as we get.
		return $client;
	}

	/**
	 * The current request's client address, with the site's trusted proxies.
	 *
	 * @since 1.1.0
	 *
	 * @return string
	 */
	public static function current(): string {
		return self::resolve( wp_unslash( $_SERVER ), self::trusted_proxies() ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- every value used is validated as an IP address.
	}

	/**
	 * The key a rate limit counts under: the address, or its /64 for IPv6,
	 * because one IPv6 subscriber usually holds a whole /64.
	 *
	 * @since 1.1.0
	 *
	 * @param string $address Normalized address.
	 * @return string
	 */
	public static function bucket( string $address ): string {
		$bin = self::packed( $address );
		if ( null === $bin ) {
			return 'unknown';
		}
		if ( 16 === strlen( $bin ) ) {
			return (string) inet_ntop( substr( $bin, 0, 8 ) . str_repeat( "\0", 8 ) ) . '/64';
		}
		return $address;
	}

	/**
	 * Whether an address is inside one of the ranges.
	 *
	 * @since 1.1.0
	 *
	 * @param string   $address Address.
	 * @param string[] $ranges  Addresses and CIDR ranges.
	 * @return bool
	 */
	public static function is_trusted( string $address, array $ranges ): bool {
		$bin = self::packed( $address );
		if ( null === $bin ) {
			return false;
		}
		foreach ( $ranges as $range ) {
			$parts = explode( '/', (string) $range, 2 );
			$net   = self::packed( $parts[0] );
			if ( null === $net || strlen( $net ) !== strlen( $bin ) ) {
				continue;
			}
			$bits = isset( $parts[1] ) ? (int) $parts[1] : strlen( $net ) * 8;
			if ( self::prefix_equal( $bin, $net, $bits ) ) {
				return true;
			}
		}
		return false;
	}

	/**
	 * An address in canonical form ('' when invalid); strips a port and
	 * brackets as proxies write them (`1.2.3.4:5678`, `[2001:db8::1]:443`)
	 * and unwraps IPv4-mapped IPv6 addresses.
	 *
	 * @since 1.1.0
	 *
	 * @param string $value Raw value.
	 * @return string
	 */
	public static function normalize( string $value ): string {
		$value = trim( $value );
		if ( preg_match( '/^\[([0-9a-fA-F:.]+)\](?::\d+)?$/', $value, $m ) ) {
			$value = $m[1];
		} elseif ( preg_match( '/^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/', $value, $m ) ) {
			$value = $m[1];
		}
		$bin = self::packed( $value );
		if ( null === $bin ) {
			return '';
		}
		if ( 16 === strlen( $bin ) && 0 === strpos( $bin, str_repeat( "\0", 10 ) . "\xff\xff" ) ) {
			$bin = substr( $bin, 12 );
		}
		return (string) inet_ntop( $bin );
	}

	/**
	 * Binary form of an address, or null.
	 *
	 * @since 1.1.0
	 *
	 * @param string $address Address.
	 * @return string|null
	 */
	private static function packed( string $address ): ?string {
		if ( false === filter_var( $address, FILTER_VALIDATE_IP ) ) {
			return null;
		}
		$bin = inet_pton( $address );
		return false === $bin ? null : $bin;
	}

	/**
	 * Whether the first $bits bits of two packed addresses are equal.
	 *
	 * @since 1.1.0
	 *
	 * @param string $a    Packed address.
	 * @param string $b    Packed address.
	 * @param int    $bits Prefix length.
	 * @return bool
	 */
	private static function prefix_equal( string $a, string $b, int $bits ): bool {
		$bytes = intdiv( $bits, 8 );
		if ( substr( $a, 0, $bytes ) !== substr( $b, 0, $bytes ) ) {
			return false;
		}
		$rest = $bits % 8;
		if ( 0 === $rest ) {
			return true;
		}
		$mask = ( 0xff << ( 8 - $rest ) ) & 0xff;
		return ( ord( $a[ $bytes ] ) & $mask ) === ( ord( $b[ $bytes ] ) & $mask );
	}
}
