<?php
/**
 * Site-wide caches that every admin page reads, at no query.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * The plugin's small site-wide caches: the daemon's published lists and the
 * "needs attention" count, both read on every admin page (the menu bubble,
 * the screens' filters).
 *
 * A transient with an expiry is two options WordPress does not autoload, so
 * without a persistent object cache each read of one costs two queries on
 * every admin page. These are transients without an expiry, which WordPress
 * autoloads with the rest of the site's options (one query it makes anyway),
 * holding the time they were written: a value older than its lifetime is
 * treated as absent and replaced. With a persistent object cache they live
 * there, as every transient does. Each is a few hundred bytes; uninstall.php
 * deletes them.
 *
 * @since 1.1.0
 */
final class SMI_Cache {

	/**
	 * The daemon's `/v1/system` answer.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const SYSTEM = 'smi_cache_system';

	/**
	 * The number of jobs needing attention.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	const ATTENTION = 'smi_cache_attention';

	/**
	 * A cached value, or null when there is none younger than $ttl seconds.
	 *
	 * @since 1.1.0
	 *
	 * @param string $key One of this class's constants.
	 * @param int    $ttl Lifetime in seconds.
	 * @return array|null
	 */
	public static function get( string $key, int $ttl ): ?array {
		$stored = get_transient( $key );
		if ( ! is_array( $stored ) || ! isset( $stored['at'] ) || ! is_array( $stored['value'] ?? null ) ) {
			return null;
		}
		$age = time() - (int) $stored['at'];
		// A clock set back makes a negative age: not trusted either.
		return $age >= 0 && $age < $ttl ? $stored['value'] : null;
	}

	/**
	 * Stores a value, stamped with the time.
	 *
	 * @since 1.1.0
	 *
	 * @param string $key   One of this class's constants.
	 * @param array  $value The value.
	 */
	public static function set( string $key, array $value ): void {
		set_transient(
			$key,
			array(
				'at'    => time(),
				'value' => $value,
			)
		);
	}

	/**
	 * Forgets a value.
	 *
	 * @since 1.1.0
	 *
	 * @param string $key One of this class's constants.
	 */
	public static function delete( string $key ): void {
		delete_transient( $key );
	}
}
