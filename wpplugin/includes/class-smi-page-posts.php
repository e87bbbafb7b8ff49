<?php
/**
 * The posts and attachments a page of jobs names.
 *
 * @package SellMyImages
 * @since   1.2.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Loads the posts and attachments of a page of jobs in one query and
 * answers for each of them without asking the database again, deleted ones
 * included: WordPress caches only the posts it finds, so every cell of a
 * deleted post would otherwise query once more.
 *
 * @since 1.2.0
 */
class SMI_Page_Posts {

	/**
	 * The IDs that no longer exist, as keys.
	 *
	 * @since 1.2.0
	 * @var array<int,true>
	 */
	private array $missing = array();

	/**
	 * Primes the caches for the jobs' post and attachment IDs.
	 *
	 * @since 1.2.0
	 *
	 * @param array $jobs Jobs from the daemon.
	 */
	public function __construct( array $jobs ) {
		$ids = array();
		foreach ( $jobs as $job ) {
			$ids[] = absint( $job['post_id'] ?? 0 );
			$ids[] = absint( $job['attachment_id'] ?? 0 );
		}
		$ids = array_values( array_unique( array_filter( $ids ) ) );
		if ( ! $ids ) {
			return;
		}
		_prime_post_caches( $ids, false, true );
		foreach ( $ids as $id ) {
			if ( false === wp_cache_get( $id, 'posts' ) ) {
				$this->missing[ $id ] = true;
			}
		}
	}

	/**
	 * A post or attachment of the page, or null when there is none or it
	 * was deleted.
	 *
	 * @since 1.2.0
	 *
	 * @param int $id Post or attachment ID.
	 * @return WP_Post|null
	 */
	public function get( int $id ): ?WP_Post {
		if ( $id <= 0 || isset( $this->missing[ $id ] ) ) {
			return null;
		}
		return get_post( $id );
	}
}
