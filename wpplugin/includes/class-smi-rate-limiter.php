<?php
/**
 * An atomic fixed-window counter.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Counts hits per key and window, atomically, so parallel requests cannot
 * all read "9" and all pass a limit of 10.
 *
 * - With a persistent object cache (Redis, Memcached drop-ins):
 *   `wp_cache_add()` then `wp_cache_incr()`, both atomic in those servers.
 * - Without one: one row per key and window in the options table, written
 *   as a transient (`_transient_smi_rl_*` with its `_transient_timeout_*`
 *   row) so WordPress's daily expired-transient clean-up removes it, and
 *   incremented with `INSERT … ON DUPLICATE KEY UPDATE`, which the database
 *   serializes on the row; `LAST_INSERT_ID(expr)` hands back this
 *   connection's own count. The options API has no atomic increment
 *   (`add_option()` overwrites on a duplicate key), hence the one statement.
 *
 * @since 1.1.0
 */
class SMI_Rate_Limiter {

	/**
	 * Object cache group.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const GROUP = 'smi_rate_limit';

	/**
	 * Clock (for tests): returns a Unix time.
	 *
	 * @since 1.1.0
	 * @var callable
	 */
	private $now;

	/**
	 * Builds a limiter.
	 *
	 * @since 1.1.0
	 *
	 * @param callable|null $now Optional clock, default time().
	 */
	public function __construct( ?callable $now = null ) {
		$this->now = $now ?? 'time';
	}

	/**
	 * Which store counts: `object-cache` or `options`.
	 *
	 * @since 1.1.0
	 *
	 * @return string
	 */
	public static function backend(): string {
		/**
		 * Filters the rate limit's store: 'object-cache' (atomic only with a
		 * persistent object cache) or 'options'.
		 *
		 * @since 1.1.0
		 *
		 * @param string $backend Default: object-cache when wp_using_ext_object_cache(), else options.
		 */
		$backend = apply_filters( 'smi_rate_limit_backend', wp_using_ext_object_cache() ? 'object-cache' : 'options' );
		return 'object-cache' === $backend ? 'object-cache' : 'options';
	}

	/**
	 * Counts one hit and says whether it is within the limit.
	 *
	 * @since 1.1.0
	 *
	 * @param string $bucket Who is counted (e.g. a client address).
	 * @param int    $limit  Hits allowed per window.
	 * @param int    $window Window length in seconds.
	 * @return array `allowed` bool, `count` int (this hit included), `retry_after` seconds until the window ends.
	 */
	public function hit( string $bucket, int $limit, int $window ): array {
		$window = max( 1, $window );
		$now    = (int) call_user_func( $this->now );
		$index  = intdiv( $now, $window );
		$ends   = ( $index + 1 ) * $window;
		$key    = 'smi_rl_' . md5( $bucket . '|' . $window . '|' . $index );
		$count  = 'object-cache' === self::backend() ? $this->incr_cache( $key, $ends - $now ) : $this->incr_option( $key, $ends );
		return array(
			'allowed'     => $count <= $limit,
			'count'       => $count,
			'retry_after' => max( 1, $ends - $now ),
		);
	}

	/**
	 * Atomic increment in the object cache.
	 *
	 * @since 1.1.0
	 *
	 * @param string $key Key.
	 * @param int    $ttl Seconds to keep it.
	 * @return int The count after this hit.
	 */
	private function incr_cache( string $key, int $ttl ): int {
		wp_cache_add( $key, 0, self::GROUP, $ttl );
		$count = wp_cache_incr( $key, 1, self::GROUP );
		if ( false === $count ) {
			// Evicted between add and incr: start again at one.
			wp_cache_add( $key, 1, self::GROUP, $ttl );
			$count = 1;
		}
		return (int) $count;
	}

	/**
	 * Atomic increment of a transient row in the options table.
	 *
	 * @since 1.1.0
	 *
	 * @param string $key  Transient name.
	 * @param int    $ends Unix time the window ends.
	 * @return int The count after this hit.
	 */
	private function incr_option( string $key, int $ends ): int {
		global $wpdb;
		// phpcs:disable WordPress.DB.DirectDatabaseQuery -- an atomic counter; the options API has none.
		$wpdb->query(
			$wpdb->prepare(
				"INSERT INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, '1', 'no') ON DUPLICATE KEY UPDATE option_value = LAST_INSERT_ID(option_value + 1)",
				'_transient_' . $key
			)
		);
		if ( 1 === (int) $wpdb->rows_affected ) {
			// The first hit of the window: give the row its expiry for the clean-up.
			$wpdb->query(
				$wpdb->prepare(
					"INSERT IGNORE INTO {$wpdb->options} (option_name, option_value, autoload) VALUES (%s, %s, 'no')",
					'_transient_timeout_' . $key,
					(string) ( $ends + 60 )
				)
			);
			return 1;
		}
		// The count LAST_INSERT_ID(…) set, as the INSERT's own result on its
		// own connection: a separate SELECT could reach another server
		// where a database plugin splits reads from writes.
		return (int) $wpdb->insert_id;
		// phpcs:enable
	}
}
