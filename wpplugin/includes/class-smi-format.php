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
	 * Answers of datetime() in this request, by timestamp, formats, zone and language.
	 *
	 * @since 1.1.0
	 * @var string[]
	 */
	private static array $datetimes = array();

	/**
	 * Number of fraction digits of a currency: ICU's (ext-intl) when it is
	 * loaded, else 2 (the daemon accepts only two-decimal currencies).
	 *
	 * @since 1.0.0
	 *
	 * @param string $currency ISO 4217 code, any case.
	 * @return int
	 */
	public static function decimals( string $currency ): int {
		return self::fraction_digits( self::currency_formatter( $currency ) );
	}

	/**
	 * The fraction digits of a currency formatter's currency; 2 without one.
	 *
	 * @since 1.1.0
	 *
	 * @param NumberFormatter|null $formatter From currency_formatter().
	 * @return int
	 */
	private static function fraction_digits( ?NumberFormatter $formatter ): int {
		return $formatter ? (int) $formatter->getAttribute( NumberFormatter::FRACTION_DIGITS ) : 2;
	}

	/**
	 * An ICU currency formatter for the admin's locale, or null without ext-intl.
	 *
	 * @since 1.1.0
	 *
	 * @param string $currency ISO 4217 code.
	 * @return NumberFormatter|null
	 */
	private static function currency_formatter( string $currency ): ?NumberFormatter {
		static $cache = array();
		if ( ! class_exists( 'NumberFormatter' ) || ! preg_match( '/^[A-Za-z]{3}$/', $currency ) ) {
			return null;
		}
		$locale = function_exists( 'get_user_locale' ) ? get_user_locale() : get_locale();
		$key    = $locale . '|' . strtoupper( $currency );
		if ( ! isset( $cache[ $key ] ) ) {
			$formatter = new NumberFormatter( $locale, NumberFormatter::CURRENCY );
			$formatter->setTextAttribute( NumberFormatter::CURRENCY_CODE, strtoupper( $currency ) );
			$cache[ $key ] = $formatter;
		}
		return $cache[ $key ];
	}

	/**
	 * Formats integer minor units for the admin's locale, e.g. 123456 usd →
	 * "$1,234.56" in en_US, "1.234,56 $" in de_DE: symbol and separators
	 * come from ICU through NumberFormatter. Without ext-intl the amount is
	 * written exactly with WordPress's separators and the code after it
	 * ("1,234.56 USD").
	 *
	 * @since 1.0.0
	 *
	 * @param int|string|null $minor    Amount in minor units.
	 * @param string          $currency ISO 4217 code.
	 * @return string Plain text (escape at output).
	 */
	public static function money( $minor, string $currency = 'usd' ): string {
		if ( null === $minor || '' === $minor || ! preg_match( '/^-?\d{1,15}$/', (string) $minor ) ) {
			return '—';
		}
		$formatter = self::currency_formatter( $currency );
		if ( ! $formatter ) {
			return self::money_without_intl( (int) $minor, $currency );
		}
		// Exact: amounts under 10^15 minor units divide into the nearest
		// double, which rounds back to the same digits.
		$out = $formatter->formatCurrency( (int) $minor / ( 10 ** self::fraction_digits( $formatter ) ), strtoupper( $currency ) );
		return false === $out ? self::money_without_intl( (int) $minor, $currency ) : $out;
	}

	/**
	 * The fallback of money() without ext-intl: exact digits, WordPress's
	 * separators, the upper-case code after the number.
	 *
	 * @since 1.1.0
	 *
	 * @param int    $minor    Amount in minor units.
	 * @param string $currency ISO 4217 code.
	 * @return string
	 */
	public static function money_without_intl( int $minor, string $currency ): string {
		$digits = 2;
		$whole  = intdiv( abs( $minor ), 100 );
		$cents  = str_pad( (string) ( abs( $minor ) % 100 ), $digits, '0', STR_PAD_LEFT );
		global $wp_locale;
		$point = isset( $wp_locale ) ? html_entity_decode( $wp_locale->number_format['decimal_point'], ENT_QUOTES, 'UTF-8' ) : '.';
		return ( $minor < 0 ? '-' : '' ) . html_entity_decode( number_format_i18n( $whole ), ENT_QUOTES, 'UTF-8' ) . $point . $cents . ' ' . strtoupper( $currency );
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
	 * A date-time from the daemon (RFC 3339, UTC) in the site's time zone,
	 * date format and time format (Settings > General).
	 *
	 * @since 1.0.0
	 *
	 * @param string|null $rfc3339 Timestamp or null.
	 * @return string Plain text; "—" when empty.
	 */
	public static function datetime( ?string $rfc3339 ): string {
		if ( null === $rfc3339 || '' === $rfc3339 ) {
			return '—';
		}
		$date_format = (string) get_option( 'date_format' );
		$time_format = (string) get_option( 'time_format' );
		// A Jobs page shows each time up to three times (the cell, its
		// title, the preview), and wp_date() is the dearest part of a row:
		// remembered for this request, per format, zone and language.
		$key = implode( '|', array( $rfc3339, $date_format, $time_format, wp_timezone_string(), get_locale() ) );
		if ( ! isset( self::$datetimes[ $key ] ) ) {
			$ts = self::timestamp( $rfc3339 );
			if ( null === $ts ) {
				return '—';
			}
			if ( count( self::$datetimes ) >= 1000 ) {
				self::$datetimes = array(); // A long CLI run does not grow without end.
			}
			/* translators: 1: date in the site's date format, 2: time in the site's time format. */
			self::$datetimes[ $key ] = sprintf( _x( '%1$s %2$s', 'date and time', 'sell-my-images' ), wp_date( $date_format, $ts ), wp_date( $time_format, $ts ) );
		}
		return self::$datetimes[ $key ];
	}

	/**
	 * Like datetime(), but "5 minutes ago" for the last day.
	 *
	 * @since 1.1.0
	 *
	 * @param string|null $rfc3339 Timestamp or null.
	 * @param int|null    $now     Optional. Now, as a Unix timestamp.
	 * @return string Plain text; "—" when empty.
	 */
	public static function when( ?string $rfc3339, ?int $now = null ): string {
		$ts  = self::timestamp( $rfc3339 );
		$now = $now ?? time();
		if ( null === $ts ) {
			return '—';
		}
		if ( $ts <= $now && $now - $ts < DAY_IN_SECONDS ) {
			/* translators: %s: a time span such as "5 mins". */
			return sprintf( __( '%s ago', 'sell-my-images' ), human_time_diff( $ts, $now ) );
		}
		return self::datetime( $rfc3339 );
	}

	/**
	 * A `<time>` element: when() as text, the full date as its title.
	 *
	 * @since 1.1.0
	 *
	 * @param string|null $rfc3339 Timestamp or null.
	 * @return string Escaped HTML.
	 */
	public static function time_html( ?string $rfc3339 ): string {
		if ( null === self::timestamp( $rfc3339 ) ) {
			return '—';
		}
		return sprintf( '<time datetime="%1$s" title="%2$s">%3$s</time>', esc_attr( (string) $rfc3339 ), esc_attr( self::datetime( $rfc3339 ) ), esc_html( self::when( $rfc3339 ) ) );
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
	 * Human label of a job status; the code itself for a status this
	 * version does not know.
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
	 * Human label of a payment status (the code when unknown).
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
			'disputed'           => __( 'Disputed', 'sell-my-images' ),
		);
		return $labels[ $status ] ?? $status;
	}

	/**
	 * Human label of a "needs attention" code (the code when unknown).
	 *
	 * @since 1.1.0
	 *
	 * @param string $code Attention code.
	 * @return string
	 */
	public static function attention_label( string $code ): string {
		$labels = array(
			'failed'         => _x( 'Failed', 'needs attention', 'sell-my-images' ),
			'stuck'          => __( 'Stuck', 'sell-my-images' ),
			'email_not_sent' => __( 'Email not sent', 'sell-my-images' ),
			'disputed'       => _x( 'Disputed', 'needs attention', 'sell-my-images' ),
			'refund_pending' => __( 'Refund pending', 'sell-my-images' ),
		);
		return $labels[ $code ] ?? $code;
	}

	/**
	 * Human label of an admin action (the code when unknown).
	 *
	 * @since 1.1.0
	 *
	 * @param string $action Action code.
	 * @return string
	 */
	public static function action_label( string $action ): string {
		$labels = array(
			'retry'            => __( 'Retry upscaling', 'sell-my-images' ),
			'regenerate_token' => __( 'Regenerate download link', 'sell-my-images' ),
			'refund'           => __( 'Refund', 'sell-my-images' ),
			'set_status'       => __( 'Change status', 'sell-my-images' ),
			'resend_email'     => __( 'Resend email', 'sell-my-images' ),
			'reconcile'        => __( 'Reconcile with Stripe', 'sell-my-images' ),
		);
		return $labels[ $action ] ?? $action;
	}

	/**
	 * Human label of a timeline event type (the code when unknown).
	 *
	 * @since 1.1.0
	 *
	 * @param string $type Event type.
	 * @return string
	 */
	public static function event_label( string $type ): string {
		$labels = array(
			'created'              => __( 'Checkout created', 'sell-my-images' ),
			'checkout_created'     => __( 'Checkout created', 'sell-my-images' ),
			'checkout_expired'     => __( 'Checkout expired', 'sell-my-images' ),
			'abandoned'            => __( 'Abandoned', 'sell-my-images' ),
			'payment_received'     => __( 'Payment received', 'sell-my-images' ),
			'payment_processing'   => __( 'Payment processing', 'sell-my-images' ),
			'payment_failed'       => __( 'Payment failed', 'sell-my-images' ),
			'submitting'           => __( 'Sending for upscaling', 'sell-my-images' ),
			'submitted'            => __( 'Sent for upscaling', 'sell-my-images' ),
			'submit_retry'         => __( 'Upscaling will be retried', 'sell-my-images' ),
			'resubmitting'         => __( 'Sending for upscaling again', 'sell-my-images' ),
			'submission_recovered' => __( 'Upscaling found again', 'sell-my-images' ),
			'in_doubt'             => __( 'Upscaling in doubt', 'sell-my-images' ),
			'submission_in_doubt'  => __( 'Upscaling in doubt: waiting for Upsampler', 'sell-my-images' ),
			'callback_unproven'    => __( 'Upsampler callback not proven to be this job\'s', 'sell-my-images' ),
			'callback_other_upscale' => __( 'Upsampler callback for another upscale', 'sell-my-images' ),
			'rescued'              => __( 'Picked up again after a stopped worker', 'sell-my-images' ),
			'requeued'             => __( 'Queued again', 'sell-my-images' ),
			'unclaimed'            => __( 'Given back by a stopping worker; queued again', 'sell-my-images' ),
			'completed'            => _x( 'Completed', 'event', 'sell-my-images' ),
			'failed'               => _x( 'Failed', 'event', 'sell-my-images' ),
			'delivery_retry'       => __( 'Delivery will be retried', 'sell-my-images' ),
			'email_sent'           => __( 'Email sent', 'sell-my-images' ),
			'email_resent'         => __( 'Email sent again', 'sell-my-images' ),
			'email_failed'         => __( 'Email failed', 'sell-my-images' ),
			'token_issued'         => __( 'Download link created', 'sell-my-images' ),
			'token_regenerated'    => __( 'Download link replaced', 'sell-my-images' ),
			'token_replaced'       => __( 'Download link replaced', 'sell-my-images' ),
			'file_stored'          => __( 'File stored', 'sell-my-images' ),
			'token_expired'        => __( 'Download link expired', 'sell-my-images' ),
			'downloaded'           => __( 'Downloaded', 'sell-my-images' ),
			'file_deleted'         => __( 'File deleted', 'sell-my-images' ),
			'refunded'             => __( 'Refunded', 'sell-my-images' ),
			'refund_recorded'      => __( 'Refund recorded', 'sell-my-images' ),
			'refund_refused'       => __( 'Refund refused', 'sell-my-images' ),
			'refund_problem'       => __( 'Refund problem', 'sell-my-images' ),
			'reconciled'           => __( 'Reconciled with Stripe', 'sell-my-images' ),
			'status_override'      => __( 'Status changed by an admin', 'sell-my-images' ),
			'disputed'             => __( 'Payment disputed', 'sell-my-images' ),
			'dispute'              => __( 'Payment dispute', 'sell-my-images' ),
			'fraud_warning'        => __( 'Early fraud warning', 'sell-my-images' ),
			'payment_mismatch'     => __( 'Payment not accepted', 'sell-my-images' ),
			'foreign_payment'      => __( 'Another payment ignored', 'sell-my-images' ),
			'owner_notified_stuck' => __( 'Owner told the job is stuck', 'sell-my-images' ),
			'seeded'               => __( 'Created by smid seed', 'sell-my-images' ),
			'note'                 => __( 'Note', 'sell-my-images' ),
		);
		return $labels[ $type ] ?? $type;
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
	 * Badges for the job's "needs attention" codes, as the daemon lists them.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job Job from the daemon.
	 * @return string Escaped HTML; '' when none.
	 */
	public static function attention_badges( array $job ): string {
		$out = '';
		foreach ( (array) ( $job['attention'] ?? array() ) as $code ) {
			if ( is_string( $code ) && '' !== $code ) {
				$out .= sprintf( ' <span class="smi-attention smi-attention-%1$s">%2$s</span>', esc_attr( sanitize_html_class( $code ) ), esc_html( self::attention_label( $code ) ) );
			}
		}
		return $out;
	}

	/**
	 * A job's status cell: its badge, what needs attention, its last error.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job Job from the daemon.
	 * @return string Escaped HTML.
	 */
	public static function status_cell( array $job ): string {
		$out   = self::status_badge( (string) ( $job['status'] ?? '' ) ) . self::attention_badges( $job );
		$error = (string) ( $job['last_error'] ?? '' );
		if ( '' !== $error ) {
			$out .= sprintf( '<br /><span class="smi-last-error" title="%1$s">%2$s</span>', esc_attr( $error ), esc_html( mb_strimwidth( $error, 0, 80, '…' ) ) );
		}
		return $out;
	}

	/**
	 * A short key of what a row shows about a job's state, so the live
	 * refresh redraws only rows that changed.
	 *
	 * @since 1.1.0
	 *
	 * @param array $job Job from the daemon.
	 * @return string
	 */
	public static function state_key( array $job ): string {
		return md5( self::status_cell( $job ) . self::payment_badge( (string) ( $job['payment_status'] ?? '' ) ) );
	}
}
