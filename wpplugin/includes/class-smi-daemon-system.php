<?php
/**
 * The daemon's published lists and limits.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * What `GET /v1/system` publishes: the lists the screens offer (statuses,
 * payment statuses, sort columns, currencies, actions, attention codes) and
 * the input limits the daemon enforces. The plugin keeps no copy of either:
 * it asks once a minute (SMI_Cache) and uses the answer. When the daemon
 * cannot be reached the lists are empty and no limit is known, so nothing is
 * offered and the daemon stays the judge of every input.
 *
 * @since 1.1.0
 */
class SMI_Daemon_System {

	/**
	 * How long the answer is kept, in seconds.
	 *
	 * @since 1.1.0
	 * @var int
	 */
	const CACHE_TTL = MINUTE_IN_SECONDS;

	/**
	 * Daemon client.
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * The answer, once loaded.
	 *
	 * @since 1.1.0
	 * @var array|null
	 */
	private ?array $data = null;

	/**
	 * Why the answer could not be loaded, if it could not.
	 *
	 * @since 1.1.0
	 * @var WP_Error|null
	 */
	public ?WP_Error $error = null;

	/**
	 * Builds the reader.
	 *
	 * @since 1.1.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 */
	public function __construct( SMI_Daemon_Client $client ) {
		$this->client = $client;
	}

	/**
	 * Forgets the cached answer (after a settings change, or in tests).
	 *
	 * @since 1.1.0
	 */
	public static function flush(): void {
		SMI_Cache::delete( SMI_Cache::SYSTEM );
	}

	/**
	 * The whole `/v1/system` answer (cached for a minute); empty when the
	 * daemon could not answer.
	 *
	 * @since 1.1.0
	 *
	 * @return array
	 */
	public function data(): array {
		if ( null !== $this->data ) {
			return $this->data;
		}
		$cached = SMI_Cache::get( SMI_Cache::SYSTEM, self::CACHE_TTL );
		if ( null !== $cached ) {
			$this->data = $cached;
			return $this->data;
		}
		$answer = $this->client->get( '/v1/system', array(), array( 'timeout' => 5 ) );
		if ( is_wp_error( $answer ) ) {
			$this->error = $answer;
			$this->data  = array();
			return $this->data;
		}
		$this->data = $answer;
		SMI_Cache::set( SMI_Cache::SYSTEM, $answer );
		return $this->data;
	}

	/**
	 * One of the daemon's lists, as codes.
	 *
	 * @since 1.1.0
	 *
	 * @param string $name statuses|payment_statuses|sort_columns|currencies|actions|attention.
	 * @return string[]
	 */
	public function codes( string $name ): array {
		$list = $this->data()['lists'][ $name ] ?? array();
		if ( ! is_array( $list ) ) {
			return array();
		}
		return array_values( array_filter( $list, static fn( $code ) => is_string( $code ) && 1 === preg_match( '/^[a-z0-9_]{1,64}$/', $code ) ) );
	}

	/**
	 * Job statuses, in the daemon's order.
	 *
	 * @since 1.1.0
	 *
	 * @return string[]
	 */
	public function statuses(): array {
		return $this->codes( 'statuses' );
	}

	/**
	 * Payment statuses, in the daemon's order.
	 *
	 * @since 1.1.0
	 *
	 * @return string[]
	 */
	public function payment_statuses(): array {
		return $this->codes( 'payment_statuses' );
	}

	/**
	 * Columns the list can be sorted by.
	 *
	 * @since 1.1.0
	 *
	 * @return string[]
	 */
	public function sort_columns(): array {
		return $this->codes( 'sort_columns' );
	}

	/**
	 * An input limit the daemon enforces, or null when it is not known.
	 *
	 * @since 1.1.0
	 *
	 * @param string $name reason_max|idempotency_key_max|batch_max|per_page_max|note_max.
	 * @return int|null
	 */
	public function limit( string $name ): ?int {
		$value = $this->data()['limits'][ $name ] ?? null;
		return is_int( $value ) && $value > 0 ? $value : null;
	}

	/**
	 * Stripe mode (test|live); test when unknown.
	 *
	 * @since 1.1.0
	 *
	 * @return string
	 */
	public function stripe_mode(): string {
		return 'live' === ( $this->data()['stripe_mode'] ?? '' ) ? 'live' : 'test';
	}

	/**
	 * Whether a text is longer than the daemon accepts (characters).
	 *
	 * @since 1.1.0
	 *
	 * @param string $text  Text.
	 * @param string $limit Limit name.
	 * @return bool False when the limit is not known: the daemon then judges.
	 */
	public function too_long( string $text, string $limit ): bool {
		$max = $this->limit( $limit );
		return null !== $max && mb_strlen( $text ) > $max;
	}

	/**
	 * A maxlength attribute for an input bound by a daemon limit, or ''.
	 *
	 * @since 1.1.0
	 *
	 * @param string $limit Limit name.
	 * @return string Escaped attribute with its leading space.
	 */
	public function maxlength( string $limit ): string {
		$max = $this->limit( $limit );
		return null === $max ? '' : ' maxlength="' . esc_attr( (string) $max ) . '"';
	}
}
