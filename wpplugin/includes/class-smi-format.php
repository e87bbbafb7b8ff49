<?php
/**
 * Formatting and parsing of the daemon's values: money, dates, statuses, IDs.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Pure helpers that turn the daemon's JSON values into what an admin reads,
 * and an admin's input back into the daemon's units. Money is always integer
 * minor units plus a currency code; floats never touch it.
 *
 * @since 1.0.0
 */
class SMI_Format {

	/**
	 * Job statuses in lifecycle order.
	 *
	 * @since 1.0.0
	 * @var string[]
	 */
	const STATUSES = array( 'awaiting_payment', 'pending', 'processing', 'completed', 'failed', 'abandoned' );

	/**
	 * Payment statuses.
	 *
	 * @since 1.0.0
	 * @var string[]
	 */
	const PAYMENT_STATUSES = array( 'pending', 'paid', 'failed', 'partially_refunded', 'refunded' );

	/**
	 * Statuses a job is still moving through (the list refreshes these).
	 *
	 * @since 1.0.0
	 * @var string[]
	 */
	const IN_FLIGHT = array( 'awaiting_payment', 'pending', 'processing' );

	/**
	 * Currencies whose minor unit is not 1/100 (Stripe's list).
	 *
	 * @since 1.0.0
	 * @var array<string,int>
	 */
	const DECIMALS = array(
		'bif' => 0,
		'clp' => 0,
		'djf' => 0,
		'gnf' => 0,
		'jpy' => 0,
		'kmf' => 0,
		'krw' => 0,
		'mga' => 0,
		'pyg' => 0,
		'rwf' => 0,
		'ugx' => 0,
		'vnd' => 0,
		'vuv' => 0,
		'xaf' => 0,
		'xof' => 0,
		'xpf' => 0,
		'bhd' => 3,
		'jod' => 3,
		'kwd' => 3,
		'omr' => 3,
		'tnd' => 3,
	);

	/**
	 * Symbols written before the amount.
	 *
	 * @since 1.0.0
	 * @var array<string,string>
	 */
	const SYMBOLS = array(
		'usd' => '$',
		'eur' => '€',
		'gbp' => '£',
		'jpy' => '¥',
		'aud' => 'A$',
		'cad' => 'CA$',
	);

	/**
	 * Number of fraction digits of a currency.
	 *
	 * @since 1.0.0
	 *
	 * @param string $currency ISO 4217 code, any case.
	 * @return int
	 */
	public static function decimals( string $currency ): int {
		$currency = strtolower( $currency );
		return self::DECIMALS[ $currency ] ?? 2;
	}

	/**
	 * Formats integer minor units exactly, e.g. 123456 usd → "$1,234.56".
	 *
	 * @since 1.0.0
	 *
	 * @param int|string|null $minor    Amount in minor units.
	 * @param string          $currency ISO 4217 code.
	 * @return string Plain text (escape at output).
	 */
	public static function money( $minor, string $currency = 'usd' ): string {
		if ( null === $minor || '' === $minor || ! preg_match( '/^-?\d+$/', (string) $minor ) ) {
			return '—';
		}
		global $wp_locale;

		$digits   = self::decimals( $currency );
		$text     = ltrim( (string) $minor, '-' );
		$negative = '-' === substr( (string) $minor, 0, 1 ) && '' !== trim( $text, '0' );
		$text     = str_pad( $text, $digits + 1, '0', STR_PAD_LEFT );
		$whole    = $digits > 0 ? substr( $text, 0, -$digits ) : $text;
		$fraction = $digits > 0 ? substr( $text, -$digits ) : '';

		// Some locales store "&nbsp;"; the result is plain text, escaped at output.
		$thousands = isset( $wp_locale ) ? html_entity_decode( $wp_locale->number_format['thousands_sep'], ENT_QUOTES, 'UTF-8' ) : ',';
		$point     = isset( $wp_locale ) ? html_entity_decode( $wp_locale->number_format['decimal_point'], ENT_QUOTES, 'UTF-8' ) : '.';
		$whole     = ltrim( $whole, '0' );
		$whole     = '' === $whole ? '0' : $whole;
		$grouped   = strrev( implode( strrev( $thousands ), str_split( strrev( $whole ), 3 ) ) );
		$number    = $grouped . ( '' !== $fraction ? $point . $fraction : '' );

		$code = strtolower( $currency );
		if ( isset( self::SYMBOLS[ $code ] ) ) {
			$out = self::SYMBOLS[ $code ] . $number;
		} else {
			$out = $number . ' ' . strtoupper( $code );
		}
		return ( $negative ? '-' : '' ) . $out;
	}

	/**
	 * Parses an admin's decimal input ("12.5", "12,50", "7") into minor units
	 * with string arithmetic only.
	 *
	 * @since 1.0.0
	 *
	 * @param string $input    What the admin typed.
	 * @param string $currency ISO 4217 code.
	 * @return int|WP_Error Minor units, or an error saying what is wrong.
	 */
	public static function parse_money( string $input, string $currency = 'usd' ) {
		$digits = self::decimals( $currency );
		$input  = trim( $input );
		if ( ! preg_match( '/^(\d{1,12})(?:[.,](\d*))?$/', $input, $m ) ) {
			return new WP_Error(
				'smi_bad_amount',
				/* translators: %s: what the admin typed. */
				sprintf( __( '"%s" is not an amount. Type a number such as 12.50, without the currency sign.', 'sell-my-images' ), $input )
			);
		}
		$fraction = rtrim( $m[2] ?? '', '0' );
		if ( strlen( $fraction ) > $digits ) {
			return new WP_Error(
				'smi_bad_amount',
				sprintf(
					/* translators: 1: what the admin typed, 2: number of decimal places. */
					_n( '"%1$s" has too many decimal places: this currency has %2$d.', '"%1$s" has too many decimal places: this currency has %2$d.', $digits, 'sell-my-images' ),
					$input,
					$digits
				)
			);
		}
		$minor = ltrim( $m[1] . str_pad( $fraction, $digits, '0' ), '0' );
		return (int) ( '' === $minor ? '0' : $minor );
	}

	/**
	 * Minor units as a plain decimal string for an input's value ("12.50").
	 *
	 * @since 1.0.0
	 *
	 * @param int    $minor    Amount in minor units, not negative.
	 * @param string $currency ISO 4217 code.
	 * @return string
	 */
	public static function decimal_string( int $minor, string $currency = 'usd' ): string {
		$digits = self::decimals( $currency );
		$text   = str_pad( (string) max( 0, $minor ), $digits + 1, '0', STR_PAD_LEFT );
		return $digits > 0 ? substr( $text, 0, -$digits ) . '.' . substr( $text, -$digits ) : $text;
	}

	/**
	 * Whether a string is a UUID as the daemon writes job IDs.
	 *
	 * @since 1.0.0
	 *
	 * @param mixed $value Candidate.
	 * @return bool
	 */
	public static function is_uuid( $value ): bool {
		return is_string( $value ) && 1 === preg_match( '/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/', $value );
	}

	/**
	 * A date-time from the daemon (RFC 3339, UTC) in the site's format and time zone.
	 *
	 * @since 1.0.0
	 *
	 * @param string|null $rfc3339 Timestamp or null.
	 * @return string Plain text; "—" when empty.
	 */
	public static function datetime( ?string $rfc3339 ): string {
		$ts = self::timestamp( $rfc3339 );
		if ( null === $ts ) {
			return '—';
		}
		/* translators: date and time format for job timestamps, see https://www.php.net/manual/datetime.format.php */
		return wp_date( __( 'Y-m-d H:i:s', 'sell-my-images' ), $ts );
	}

	/**
	 * Unix timestamp of an RFC 3339 string, or null.
	 *
	 * @since 1.0.0
	 *
	 * @param string|null $rfc3339 Timestamp or null.
	 * @return int|null
	 */
	public static function timestamp( ?string $rfc3339 ): ?int {
		if ( null === $rfc3339 || '' === $rfc3339 ) {
			return null;
		}
		$ts = strtotime( $rfc3339 );
		return false === $ts ? null : $ts;
	}

	/**
	 * A duration in seconds as "1 h 2 min 3 s".
	 *
	 * @since 1.0.0
	 *
	 * @param int|float|null $seconds Duration.
	 * @return string
	 */
	public static function duration( $seconds ): string {
		if ( null === $seconds || ! is_numeric( $seconds ) ) {
			return '—';
		}
		$seconds = (int) round( (float) $seconds );
		$parts   = array();
		$hours   = intdiv( $seconds, 3600 );
		$minutes = intdiv( $seconds % 3600, 60 );
		$rest    = $seconds % 60;
		if ( $hours ) {
			/* translators: %d: number of hours. */
			$parts[] = sprintf( __( '%d h', 'sell-my-images' ), $hours );
		}
		if ( $minutes ) {
			/* translators: %d: number of minutes. */
			$parts[] = sprintf( __( '%d min', 'sell-my-images' ), $minutes );
		}
		if ( $rest || ! $parts ) {
			/* translators: %d: number of seconds. */
			$parts[] = sprintf( __( '%d s', 'sell-my-images' ), $rest );
		}
		return implode( ' ', $parts );
	}

	/**
	 * Human label of a job status.
	 *
	 * @since 1.0.0
	 *
	 * @param string $status Status code.
	 * @return string
	 */
	public static function status_label( string $status ): string {
		$labels = array(
			'awaiting_payment' => __( 'Awaiting payment', 'sell-my-images' ),
			'pending'          => __( 'Pending', 'sell-my-images' ),
			'processing'       => __( 'Processing', 'sell-my-images' ),
			'completed'        => __( 'Completed', 'sell-my-images' ),
			'failed'           => __( 'Failed', 'sell-my-images' ),
			'abandoned'        => __( 'Abandoned', 'sell-my-images' ),
		);
		return $labels[ $status ] ?? $status;
	}

	/**
	 * Human label of a payment status.
	 *
	 * @since 1.0.0
	 *
	 * @param string $status Payment status code.
	 * @return string
	 */
	public static function payment_label( string $status ): string {
		$labels = array(
			'pending'            => _x( 'Pending', 'payment status', 'sell-my-images' ),
			'paid'               => __( 'Paid', 'sell-my-images' ),
			'failed'             => _x( 'Failed', 'payment status', 'sell-my-images' ),
			'partially_refunded' => __( 'Partially refunded', 'sell-my-images' ),
			'refunded'           => __( 'Refunded', 'sell-my-images' ),
		);
		return $labels[ $status ] ?? $status;
	}

	/**
	 * A status badge: `<span class="smi-status smi-status-<status>">`.
	 *
	 * @since 1.0.0
	 *
	 * @param string $status Status code.
	 * @return string Escaped HTML.
	 */
	public static function status_badge( string $status ): string {
		return sprintf(
			'<span class="smi-status smi-status-%1$s" data-status="%1$s">%2$s</span>',
			esc_attr( sanitize_html_class( $status ) ),
			esc_html( self::status_label( $status ) )
		);
	}

	/**
	 * A payment badge: `<span class="smi-payment smi-payment-<status>">`.
	 *
	 * @since 1.0.0
	 *
	 * @param string $status Payment status code.
	 * @return string Escaped HTML.
	 */
	public static function payment_badge( string $status ): string {
		return sprintf(
			'<span class="smi-payment smi-payment-%1$s" data-payment-status="%1$s">%2$s</span>',
			esc_attr( sanitize_html_class( $status ) ),
			esc_html( self::payment_label( $status ) )
		);
	}

	/**
	 * Money still refundable on a job: charged minus refunded, when money was captured.
	 *
	 * @since 1.0.0
	 *
	 * @param array $job Job from the daemon.
	 * @return int Minor units.
	 */
	public static function refundable( array $job ): int {
		if ( ! in_array( $job['payment_status'] ?? '', array( 'paid', 'partially_refunded' ), true ) ) {
			return 0;
		}
		return max( 0, (int) ( $job['amount_charged'] ?? 0 ) - (int) ( $job['refund_amount'] ?? 0 ) );
	}
}
