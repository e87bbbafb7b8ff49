<?php
/**
 * The Jobs screen's request.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Reads the Jobs screen's URL strictly, once, for the list, the bulk
 * actions and the export: every value is checked against the daemon's own
 * lists (`/v1/system`) or a strict pattern, and anything else is dropped.
 * It then says what to ask the daemon (`daemon_filter()`, `list_args()`)
 * and how to link back to the same view (`url_args()`).
 *
 * Dates in the URL are the site's local days (Settings > General > Timezone);
 * the daemon gets them as RFC 3339 bounds with the site's offset, so a sale
 * at 23:30 in New York is on the day New York says it is.
 *
 * @since 1.1.0
 */
class SMI_Jobs_Query {

	/**
	 * Most post IDs a title search sends (the daemon's `post_ids` limit).
	 *
	 * @since 1.1.0
	 * @var int
	 */
	const TITLE_MATCHES = 200;

	/**
	 * The name of the list table's Apply buttons: present only when one of
	 * them submitted the form.
	 *
	 * @since 1.2.0
	 * @var string
	 */
	const APPLY = 'smi_apply';

	/**
	 * Bulk actions of the list, as the form names them.
	 *
	 * @since 1.1.0
	 * @var string[]
	 */
	const BULK_CHOICES = array( 'retry', 'retry_unpaid', 'regenerate_token', 'regenerate_token_email', 'resend_email', 'refund', 'set_status', 'reconcile' );

	/**
	 * Filter values as they appear in the URL (validated).
	 *
	 * @since 1.1.0
	 * @var array
	 */
	public array $filters = array();

	/**
	 * Sort column.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	public string $orderby = 'created_at';

	/**
	 * Order: asc|desc.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	public string $order = 'desc';

	/**
	 * Whether the sort was chosen in the URL (else the default).
	 *
	 * @since 1.1.0
	 * @var bool
	 */
	public bool $sorted = false;

	/**
	 * Page number (typed, or carried beside a cursor for display).
	 *
	 * @since 1.1.0
	 * @var int
	 */
	public int $paged = 1;

	/**
	 * The daemon's opaque cursor, or ''.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	public string $cursor = '';

	/**
	 * Whether the last page was asked for.
	 *
	 * @since 1.1.0
	 * @var bool
	 */
	public bool $last = false;

	/**
	 * The bulk action chosen in either selector, or ''.
	 *
	 * @since 1.1.0
	 * @var string
	 */
	public string $bulk_action = '';

	/**
	 * Post IDs whose title matches the search, once resolved (null: not yet).
	 *
	 * @since 1.1.0
	 * @var int[]|null
	 */
	private ?array $title_ids = null;

	/**
	 * Parses a request.
	 *
	 * @since 1.1.0
	 *
	 * @param array             $req    Unslashed request ($_GET).
	 * @param SMI_Daemon_System $system The daemon's lists.
	 */
	public function __construct( array $req, SMI_Daemon_System $system ) {
		$this->parse_filters( $req, $system );

		$orderby = self::text( $req, 'orderby' );
		if ( '' !== $orderby && in_array( $orderby, $system->sort_columns(), true ) ) {
			$this->orderby = $orderby;
			$this->sorted  = true;
		}
		$order = strtolower( self::text( $req, 'order' ) );
		if ( in_array( $order, array( 'asc', 'desc' ), true ) ) {
			$this->order  = $order;
			$this->sorted = true;
		}

		$this->paged = max( 1, absint( self::text( $req, 'paged' ) ) );
		$cursor      = self::text( $req, 'cursor' );
		if ( preg_match( '/^[A-Za-z0-9_=-]{1,1024}$/', $cursor ) ) {
			$this->cursor = $cursor;
		} elseif ( 'last' === self::text( $req, 'position' ) ) {
			$this->last = true;
		}

		// A bulk action runs only from an Apply button (APPLY is its name).
		// Enter in a search or filter field submits the form through its
		// first button, the search box's: that is a search, never a refund.
		if ( empty( $req['filter_action'] ) && ! empty( $req[ self::APPLY ] ) ) {
			foreach ( array( 'action', 'action2' ) as $key ) {
				$choice = self::text( $req, $key );
				if ( in_array( $choice, self::BULK_CHOICES, true ) ) {
					$this->bulk_action = $choice;
					break;
				}
			}
		}
	}

	/**
	 * A scalar request value as a trimmed string ('' when missing or an array).
	 *
	 * @since 1.1.0
	 *
	 * @param array  $req Request.
	 * @param string $key Key.
	 * @return string
	 */
	private static function text( array $req, string $key ): string {
		return isset( $req[ $key ] ) && is_scalar( $req[ $key ] ) ? trim( (string) $req[ $key ] ) : '';
	}

	/**
	 * Reads the filter keys.
	 *
	 * @since 1.1.0
	 *
	 * @param array             $req    Request.
	 * @param SMI_Daemon_System $system The daemon's lists.
	 */
	private function parse_filters( array $req, SMI_Daemon_System $system ): void {
		foreach ( array( 'status' => $system->statuses(), 'payment_status' => $system->payment_statuses() ) as $key => $allowed ) {
			$values = array_values( array_unique( array_intersect( array_map( 'sanitize_key', explode( ',', self::text( $req, $key ) ) ), $allowed ) ) );
			if ( $values ) {
				$this->filters[ $key ] = implode( ',', $values );
			}
		}
		foreach ( array( 'created_from', 'created_to' ) as $key ) {
			$day = self::text( $req, $key );
			if ( preg_match( '/^(\d{4})-(\d{2})-(\d{2})$/', $day, $m ) && checkdate( (int) $m[2], (int) $m[3], (int) $m[1] ) ) {
				$this->filters[ $key ] = $day;
			}
		}
		$email = substr( sanitize_text_field( self::text( $req, 'email' ) ), 0, 254 );
		if ( '' !== $email ) {
			$this->filters['email'] = $email;
		}
		foreach ( array( 'post_id', 'attachment_id' ) as $key ) {
			$id = self::text( $req, $key );
			if ( ctype_digit( $id ) && absint( $id ) > 0 ) {
				$this->filters[ $key ] = absint( $id );
			}
		}
		$search = substr( sanitize_text_field( self::text( $req, 's' ) ), 0, 200 );
		if ( '' !== $search ) {
			$this->filters['s'] = $search;
		}
		if ( '1' === self::text( $req, 'attention' ) ) {
			$this->filters['attention'] = 1;
		}
	}

	/**
	 * Whether the search text is something the daemon matches itself (a job
	 * ID or its prefix, an email, @domain, a post or attachment ID), rather
	 * than words of a post title.
	 *
	 * @since 1.1.0
	 *
	 * @param string $search Search text.
	 * @return bool
	 */
	public static function is_daemon_search( string $search ): bool {
		return ctype_digit( $search )
			|| false !== strpos( $search, '@' )
			|| ( 1 === preg_match( '/^[0-9a-f-]{8,36}$/i', $search ) && 1 === preg_match( '/\d/', $search ) );
	}

	/**
	 * IDs of the posts and attachments whose title matches the search, at
	 * most TITLE_MATCHES, newest first (one WP_Query, IDs only).
	 *
	 * @since 1.1.0
	 *
	 * @param string $search Words.
	 * @return int[]
	 */
	public static function posts_titled( string $search ): array {
		$query = new WP_Query(
			array(
				's'                      => $search,
				'search_columns'         => array( 'post_title' ), // WordPress 6.2+; earlier versions search the content too.
				'post_type'              => 'any',
				'post_status'            => 'any',
				'fields'                 => 'ids',
				'posts_per_page'         => self::TITLE_MATCHES,
				'orderby'                => 'date',
				'order'                  => 'DESC',
				'no_found_rows'          => true,
				'update_post_meta_cache' => false,
				'update_post_term_cache' => false,
				'suppress_filters'       => false,
			)
		);
		return array_values( array_map( 'intval', $query->posts ) );
	}

	/**
	 * The filter keys of `GET /v1/jobs`, `/v1/stats`, the export and batches.
	 * A title search becomes `post_ids`; local days become RFC 3339 bounds.
	 *
	 * @since 1.1.0
	 *
	 * @return array
	 */
	public function daemon_filter(): array {
		$f = array_intersect_key( $this->filters, array_flip( array( 'status', 'payment_status', 'email', 'post_id', 'attachment_id', 'attention' ) ) );
		$f = array_merge( $f, $this->date_bounds() );
		if ( isset( $this->filters['s'] ) ) {
			$search = $this->filters['s'];
			if ( self::is_daemon_search( $search ) ) {
				$f['q'] = $search;
			} else {
				if ( null === $this->title_ids ) {
					$this->title_ids = self::posts_titled( $search );
				}
				if ( $this->title_ids ) {
					$f['post_ids'] = implode( ',', $this->title_ids );
				} else {
					$f['q'] = $search; // No title matches: the daemon reads it as an email prefix.
				}
			}
		}
		return $f;
	}

	/**
	 * The date range as RFC 3339 bounds in the site's time zone.
	 *
	 * @since 1.1.0
	 *
	 * @return array `created_from`, `created_to` when set.
	 */
	public function date_bounds(): array {
		$out  = array();
		$zone = wp_timezone();
		foreach ( array(
			'created_from' => '00:00:00',
			'created_to'   => '23:59:59',
		) as $key => $time ) {
			if ( isset( $this->filters[ $key ] ) ) {
				$at          = new DateTimeImmutable( $this->filters[ $key ] . ' ' . $time, $zone );
				$out[ $key ] = $at->format( DATE_RFC3339 );
			}
		}
		return $out;
	}

	/**
	 * Arguments of `GET /v1/jobs` for one page.
	 *
	 * @since 1.1.0
	 *
	 * @param int $per_page Rows per page.
	 * @return array
	 */
	public function list_args( int $per_page ): array {
		$args = array_merge(
			$this->daemon_filter(),
			array(
				'orderby'  => $this->orderby,
				'order'    => $this->order,
				'per_page' => $per_page,
			)
		);
		if ( '' !== $this->cursor ) {
			$args['cursor'] = $this->cursor;
		} elseif ( $this->last ) {
			$args['position'] = 'last';
		} else {
			$args['page'] = $this->paged;
		}
		return $args;
	}

	/**
	 * Arguments of `GET /v1/jobs/export.csv`: the filter and the order.
	 *
	 * @since 1.1.0
	 *
	 * @return array
	 */
	public function export_args(): array {
		return array_merge(
			$this->daemon_filter(),
			array(
				'orderby' => $this->orderby,
				'order'   => $this->order,
				// Human column headers with their stable keys, and a BOM so
				// spreadsheet apps read UTF-8.
				'header'  => 'labels',
				'bom'     => '1',
			)
		);
	}

	/**
	 * URL arguments of this view (filters, search, sort), without paging:
	 * for links, redirects and the export.
	 *
	 * @since 1.1.0
	 *
	 * @return array
	 */
	public function url_args(): array {
		$args = $this->filters;
		if ( $this->sorted ) {
			$args['orderby'] = $this->orderby;
			$args['order']   = $this->order;
		}
		return $args;
	}

	/**
	 * URL arguments of this view and its page position, for redirects back
	 * to exactly this page.
	 *
	 * @since 1.1.0
	 *
	 * @return array
	 */
	public function page_args(): array {
		$args = $this->url_args();
		if ( '' !== $this->cursor ) {
			$args['cursor'] = $this->cursor;
		} elseif ( $this->last ) {
			$args['position'] = 'last';
		}
		if ( $this->paged > 1 ) {
			$args['paged'] = $this->paged;
		}
		return $args;
	}
}
