<?php
/**
 * The Jobs list.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

if ( ! class_exists( 'WP_List_Table' ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}
require_once __DIR__ . '/trait-smi-jobs-list-columns.php';

/**
 * Lists jobs from the daemon's `GET /v1/jobs`, with status views from
 * `GET /v1/stats`, filters, search, sorting, paging and bulk actions.
 * Everything the view depends on is in the URL, so it can be bookmarked.
 *
 * @since 1.0.0
 */
class SMI_Jobs_List_Table extends WP_List_Table {

	use SMI_Jobs_List_Columns;

	/**
	 * Columns the daemon can sort by, URL value => daemon orderby.
	 *
	 * @since 1.0.0
	 * @var string[]
	 */
	const ORDERBY = array( 'created_at', 'paid_at', 'completed_at', 'amount_charged', 'status', 'payment_status', 'email' );

	/**
	 * Filter keys carried in the URL (besides s, orderby, order, paged).
	 *
	 * @since 1.0.0
	 * @var string[]
	 */
	const FILTER_KEYS = array( 'status', 'payment_status', 'created_from', 'created_to', 'email', 'post_id', 'attachment_id' );

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Why the jobs could not be loaded, if they could not.
	 *
	 * @since 1.0.0
	 * @var WP_Error|null
	 */
	public ?WP_Error $error = null;

	/**
	 * Why the counts could not be loaded, if they could not.
	 *
	 * @since 1.0.0
	 * @var WP_Error|null
	 */
	public ?WP_Error $stats_error = null;

	/**
	 * The daemon's `/v1/stats` answer.
	 *
	 * @since 1.0.0
	 * @var array
	 */
	private array $stats = array();

	/**
	 * Number of jobs matching the filter.
	 *
	 * @since 1.0.0
	 * @var int
	 */
	public int $total = 0;

	/**
	 * Whether the daemon stopped counting (total is a lower bound).
	 *
	 * @since 1.0.0
	 * @var bool
	 */
	public bool $total_capped = false;

	/**
	 * The request this table was built from (unslashed).
	 *
	 * @since 1.0.0
	 * @var array
	 */
	private array $request;

	/**
	 * Builds the table.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client  Daemon client.
	 * @param array             $request Optional. Request arguments (default: unslashed $_GET).
	 * @param array             $args    Optional. WP_List_Table arguments.
	 */
	public function __construct( SMI_Daemon_Client $client, ?array $request = null, array $args = array() ) {
		$this->client  = $client;
		$this->request = null === $request ? wp_unslash( $_GET ) : $request; // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only view arguments.
		parent::__construct(
			array_merge(
				array(
					'singular' => 'smi_job',
					'plural'   => 'smi_jobs',
					'ajax'     => false,
					'screen'   => 'toplevel_page_smi-jobs',
				),
				$args
			)
		);
	}

	/**
	 * Daemon filter arguments from a request, strictly whitelisted.
	 *
	 * @since 1.0.0
	 *
	 * @param array $req Unslashed request.
	 * @return array Filter keys of `GET /v1/jobs` (status, payment_status, created_from, created_to, email, post_id, attachment_id, q).
	 */
	public static function filters_from_request( array $req ): array {
		$f = array();
		foreach ( array( 'status' => SMI_Format::STATUSES, 'payment_status' => SMI_Format::PAYMENT_STATUSES ) as $key => $allowed ) {
			if ( isset( $req[ $key ] ) && is_string( $req[ $key ] ) ) {
				$values = array_intersect( array_map( 'sanitize_key', explode( ',', $req[ $key ] ) ), $allowed );
				if ( $values ) {
					$f[ $key ] = implode( ',', array_values( array_unique( $values ) ) );
				}
			}
		}
		foreach ( array( 'created_from', 'created_to' ) as $key ) {
			if ( isset( $req[ $key ] ) && is_string( $req[ $key ] ) && preg_match( '/^(\d{4})-(\d{2})-(\d{2})$/', $req[ $key ], $m ) && checkdate( (int) $m[2], (int) $m[3], (int) $m[1] ) ) {
				$f[ $key ] = $req[ $key ];
			}
		}
		if ( isset( $req['email'] ) && is_string( $req['email'] ) ) {
			$email = substr( trim( sanitize_text_field( $req['email'] ) ), 0, 254 );
			if ( '' !== $email ) {
				$f['email'] = $email;
			}
		}
		foreach ( array( 'post_id', 'attachment_id' ) as $key ) {
			if ( isset( $req[ $key ] ) && ! is_array( $req[ $key ] ) && absint( $req[ $key ] ) > 0 ) {
				$f[ $key ] = absint( $req[ $key ] );
			}
		}
		if ( isset( $req['s'] ) && is_string( $req['s'] ) ) {
			$q = substr( trim( sanitize_text_field( $req['s'] ) ), 0, 200 );
			if ( '' !== $q ) {
				$f['q'] = $q;
			}
		}
		return $f;
	}

	/**
	 * Sort arguments from a request (whitelisted).
	 *
	 * @since 1.0.0
	 *
	 * @param array $req Unslashed request.
	 * @return array `orderby`, `order`.
	 */
	public static function order_from_request( array $req ): array {
		$orderby = isset( $req['orderby'] ) && is_string( $req['orderby'] ) && in_array( $req['orderby'], self::ORDERBY, true ) ? $req['orderby'] : 'created_at';
		$order   = isset( $req['order'] ) && is_string( $req['order'] ) && 'asc' === strtolower( $req['order'] ) ? 'asc' : 'desc';
		return array(
			'orderby' => $orderby,
			'order'   => $order,
		);
	}

	/**
	 * The URL arguments of the current view (filters, search, sort), for links and redirects.
	 *
	 * @since 1.0.0
	 *
	 * @param array $req Unslashed request.
	 * @return array
	 */
	public static function view_args( array $req ): array {
		$args = self::filters_from_request( $req );
		if ( isset( $args['q'] ) ) {
			$args['s'] = $args['q'];
			unset( $args['q'] );
		}
		if ( isset( $req['orderby'] ) || isset( $req['order'] ) ) {
			$args += self::order_from_request( $req );
		}
		if ( isset( $req['paged'] ) && absint( $req['paged'] ) > 1 ) {
			$args['paged'] = absint( $req['paged'] );
		}
		return $args;
	}

	/**
	 * Loads the page of jobs and the counts.
	 *
	 * @since 1.0.0
	 */
	public function prepare_items() {
		$per_page = $this->get_items_per_page( 'smi_jobs_per_page', 25 );
		$per_page = min( 500, max( 1, $per_page ) );
		$filters  = self::filters_from_request( $this->request );
		$query    = array_merge(
			$filters,
			self::order_from_request( $this->request ),
			array(
				'per_page' => $per_page,
				'page'     => $this->get_pagenum(),
			)
		);

		$this->_column_headers = array( $this->get_columns(), array(), $this->get_sortable_columns(), 'job_id' );

		// Counts only: the money sums need a scan the status views do not.
		$stats = $this->client->get(
			'/v1/stats',
			array_intersect_key( $filters, array_flip( array( 'created_from', 'created_to' ) ) ) + array( 'only' => 'counts' )
		);
		if ( is_wp_error( $stats ) ) {
			$this->stats_error = $stats;
		} else {
			$this->stats = $stats;
		}

		$result = $this->client->get( '/v1/jobs', $query );
		if ( is_wp_error( $result ) ) {
			$this->error = $result;
			$this->items = array();
			$this->set_pagination_args(
				array(
					'total_items' => 0,
					'per_page'    => $per_page,
				)
			);
			return;
		}
		$this->items        = array_values( array_filter( (array) ( $result['jobs'] ?? array() ), 'is_array' ) );
		$this->total        = (int) ( $result['total'] ?? count( $this->items ) );
		$this->total_capped = ! empty( $result['total_capped'] );
		// One query for every post and attachment the rows show, instead of
		// one per cell.
		$ids = array();
		foreach ( $this->items as $item ) {
			$ids[] = absint( $item['post_id'] ?? 0 );
			$ids[] = absint( $item['attachment_id'] ?? 0 );
		}
		$ids = array_values( array_unique( array_filter( $ids ) ) );
		if ( $ids ) {
			_prime_post_caches( $ids, false, true );
		}
		$this->set_pagination_args(
			array(
				'total_items' => $this->total,
				'per_page'    => $per_page,
				'total_pages' => max( 1, (int) ( $result['total_pages'] ?? ceil( $this->total / $per_page ) ) ),
			)
		);
	}

	/**
	 * Prints the table; same as the parent with a stable id on the table.
	 *
	 * @since 1.0.0
	 */
	public function display() {
		$this->display_tablenav( 'top' );
		$this->screen->render_screen_reader_content( 'heading_list' );
		echo '<table id="smi-jobs-table" class="wp-list-table ' . esc_attr( implode( ' ', $this->get_table_classes() ) ) . '"><thead><tr>';
		$this->print_column_headers();
		echo '</tr></thead><tbody id="the-list">';
		$this->display_rows_or_placeholder();
		echo '</tbody><tfoot><tr>';
		$this->print_column_headers( false );
		echo '</tr></tfoot></table>';
		$this->display_tablenav( 'bottom' );
	}

	/**
	 * Pagination, saying "10,000+ items" when the daemon capped the count.
	 *
	 * @since 1.0.0
	 *
	 * @param string $which top|bottom.
	 */
	protected function pagination( $which ) {
		ob_start();
		parent::pagination( $which );
		$html = (string) ob_get_clean();
		if ( $this->total_capped ) {
			$label = sprintf(
				/* translators: %s: lower bound of the number of jobs, e.g. 10,000. */
				__( '%s+ items', 'sell-my-images' ),
				number_format_i18n( $this->total )
			);
			$html = (string) preg_replace( '#<span class="displaying-num">.*?</span>#s', '<span class="displaying-num">' . esc_html( $label ) . '</span>', $html, 1 );
		}
		echo $html; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- core markup, label escaped above.
	}

	/**
	 * Message for an empty list (or an unreachable daemon).
	 *
	 * @since 1.0.0
	 */
	public function no_items() {
		if ( $this->error ) {
			esc_html_e( 'The jobs could not be loaded (see the message above).', 'sell-my-images' );
			return;
		}
		esc_html_e( 'No jobs match this view.', 'sell-my-images' );
	}

	/**
	 * Columns.
	 *
	 * @since 1.0.0
	 *
	 * @return string[]
	 */
	public function get_columns() {
		return array(
			'cb'             => '<input type="checkbox" />',
			'job_id'         => __( 'Job', 'sell-my-images' ),
			'thumbnail'      => __( 'Image', 'sell-my-images' ),
			'email'          => __( 'Email', 'sell-my-images' ),
			'post'           => __( 'Post', 'sell-my-images' ),
			'attachment'     => __( 'Attachment', 'sell-my-images' ),
			'resolution'     => __( 'Resolution', 'sell-my-images' ),
			'status'         => __( 'Status', 'sell-my-images' ),
			'payment_status' => __( 'Payment', 'sell-my-images' ),
			'amount_charged' => __( 'Charged', 'sell-my-images' ),
			'amount_cost'    => __( 'Cost', 'sell-my-images' ),
			'created_at'     => __( 'Created', 'sell-my-images' ),
		);
	}

	/**
	 * Sortable columns (daemon orderby keys).
	 *
	 * @since 1.0.0
	 *
	 * @return array
	 */
	protected function get_sortable_columns() {
		return array(
			'email'          => array( 'email', false ),
			'status'         => array( 'status', false ),
			'payment_status' => array( 'payment_status', false ),
			'amount_charged' => array( 'amount_charged', true ),
			'created_at'     => array( 'created_at', true ),
		);
	}

	/**
	 * Bulk actions, sent to `POST /v1/jobs/batch`.
	 *
	 * @since 1.0.0
	 *
	 * @return string[]
	 */
	protected function get_bulk_actions() {
		return array(
			'retry'                  => __( 'Retry upscaling', 'sell-my-images' ),
			'retry_unpaid'           => __( 'Retry upscaling, even if refunded (gives the work away)', 'sell-my-images' ),
			'regenerate_token'       => __( 'Regenerate download tokens', 'sell-my-images' ),
			'regenerate_token_email' => __( 'Regenerate tokens and email', 'sell-my-images' ),
			'resend_email'           => __( 'Resend email', 'sell-my-images' ),
			'refund'                 => __( 'Refund (full)', 'sell-my-images' ),
			'set_status'             => __( 'Set status', 'sell-my-images' ),
			'reconcile'              => __( 'Reconcile with Stripe', 'sell-my-images' ),
		);
	}

	/**
	 * The bulk action chosen in either selector, if it is one of ours.
	 *
	 * @since 1.0.0
	 *
	 * @param array $req Unslashed request.
	 * @return string '' when none.
	 */
	public static function bulk_action_from_request( array $req ): string {
		if ( ! empty( $req['filter_action'] ) ) {
			return '';
		}
		foreach ( array( 'action', 'action2' ) as $key ) {
			$action = isset( $req[ $key ] ) && is_string( $req[ $key ] ) ? $req[ $key ] : '-1';
			if ( in_array( $action, array( 'retry', 'retry_unpaid', 'regenerate_token', 'regenerate_token_email', 'resend_email', 'refund', 'set_status', 'reconcile' ), true ) ) {
				return $action;
			}
		}
		return '';
	}

	/**
	 * Status views with counts from `/v1/stats`.
	 *
	 * @since 1.0.0
	 *
	 * @return string[]
	 */
	protected function get_views() {
		$current = self::filters_from_request( $this->request )['status'] ?? '';
		$keep    = array_intersect_key( self::filters_from_request( $this->request ), array_flip( array( 'created_from', 'created_to' ) ) );
		$base    = add_query_arg( $keep, admin_url( 'admin.php?page=' . SMI_Admin_Jobs_Page::SLUG ) );
		$counts  = (array) ( $this->stats['by_status'] ?? array() );
		$views   = array();

		$all_count = isset( $this->stats['total'] ) ? (int) $this->stats['total'] : null;
		$views['all'] = $this->view_link( $base, __( 'All', 'sell-my-images' ), $all_count, '' === $current, 'all' );
		foreach ( SMI_Format::STATUSES as $status ) {
			$views[ $status ] = $this->view_link(
				add_query_arg( 'status', $status, $base ),
				SMI_Format::status_label( $status ),
				$this->stats ? (int) ( $counts[ $status ] ?? 0 ) : null,
				$current === $status,
				$status
			);
		}
		return $views;
	}

	/**
	 * One view link.
	 *
	 * @since 1.0.0
	 *
	 * @param string   $url     Link.
	 * @param string   $label   Label.
	 * @param int|null $count   Count, or null when unknown.
	 * @param bool     $current Whether this is the current view.
	 * @param string   $key     View key (for the id).
	 * @return string
	 */
	private function view_link( string $url, string $label, ?int $count, bool $current, string $key ): string {
		return sprintf(
			'<a href="%1$s" id="smi-view-%2$s"%3$s>%4$s%5$s</a>',
			esc_url( $url ),
			esc_attr( $key ),
			$current ? ' class="current" aria-current="page"' : '',
			esc_html( $label ),
			null === $count ? '' : ' <span class="count">(' . esc_html( number_format_i18n( $count ) ) . ')</span>'
		);
	}

	/**
	 * Filters, bulk parameters and export above the table.
	 *
	 * @since 1.0.0
	 *
	 * @param string $which top|bottom.
	 */
	protected function extra_tablenav( $which ) {
		if ( 'top' !== $which ) {
			return;
		}
		$f = self::filters_from_request( $this->request );
		echo '<div class="alignleft actions smi-filters" id="smi-filters">';

		echo '<label class="screen-reader-text" for="smi-filter-status">' . esc_html__( 'Filter by status', 'sell-my-images' ) . '</label>';
		echo '<select name="status" id="smi-filter-status"><option value="">' . esc_html__( 'All statuses', 'sell-my-images' ) . '</option>';
		foreach ( SMI_Format::STATUSES as $status ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $status ), selected( $f['status'] ?? '', $status, false ), esc_html( SMI_Format::status_label( $status ) ) );
		}
		echo '</select>';

		echo '<label class="screen-reader-text" for="smi-filter-payment-status">' . esc_html__( 'Filter by payment status', 'sell-my-images' ) . '</label>';
		echo '<select name="payment_status" id="smi-filter-payment-status"><option value="">' . esc_html__( 'All payments', 'sell-my-images' ) . '</option>';
		foreach ( SMI_Format::PAYMENT_STATUSES as $status ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $status ), selected( $f['payment_status'] ?? '', $status, false ), esc_html( SMI_Format::payment_label( $status ) ) );
		}
		echo '</select>';

		$fields = array(
			'created_from'  => array( 'date', __( 'From', 'sell-my-images' ), '' ),
			'created_to'    => array( 'date', __( 'To', 'sell-my-images' ), '' ),
			'email'         => array( 'text', __( 'Email', 'sell-my-images' ), __( 'Email', 'sell-my-images' ) ),
			'post_id'       => array( 'number', __( 'Post ID', 'sell-my-images' ), __( 'Post ID', 'sell-my-images' ) ),
			'attachment_id' => array( 'number', __( 'Attachment ID', 'sell-my-images' ), __( 'Attachment ID', 'sell-my-images' ) ),
		);
		foreach ( $fields as $key => $field ) {
			$id = 'smi-filter-' . str_replace( '_', '-', $key );
			printf(
				'<label for="%1$s" class="smi-filter-label">%2$s</label> <input type="%3$s" id="%1$s" name="%4$s" value="%5$s" placeholder="%6$s"%7$s class="smi-filter-input" />',
				esc_attr( $id ),
				esc_html( $field[1] ),
				esc_attr( $field[0] ),
				esc_attr( $key ),
				esc_attr( (string) ( $f[ $key ] ?? '' ) ),
				esc_attr( $field[2] ),
				'number' === $field[0] ? ' min="1" step="1"' : ''
			);
		}
		submit_button( __( 'Filter', 'sell-my-images' ), '', 'filter_action', false, array( 'id' => 'smi-filter-submit' ) );
		printf( ' <a href="%1$s" class="button-link" id="smi-filter-reset">%2$s</a>', esc_url( admin_url( 'admin.php?page=' . SMI_Admin_Jobs_Page::SLUG ) ), esc_html__( 'Reset', 'sell-my-images' ) );
		echo '</div>';

		$this->render_bulk_params();
	}

	/**
	 * Reason, status and "apply to all" inputs used by some bulk actions.
	 *
	 * @since 1.0.0
	 */
	private function render_bulk_params(): void {
		echo '<div class="alignleft actions smi-bulk-params" id="smi-bulk-params">';
		echo '<span class="smi-bulk-status-wrap"><label for="smi-bulk-status">' . esc_html__( 'New status', 'sell-my-images' ) . '</label> ';
		echo '<select name="smi_bulk_status" id="smi-bulk-status"><option value="">' . esc_html__( '— Choose —', 'sell-my-images' ) . '</option>';
		foreach ( SMI_Format::STATUSES as $status ) {
			printf( '<option value="%1$s">%2$s</option>', esc_attr( $status ), esc_html( SMI_Format::status_label( $status ) ) );
		}
		echo '</select></span> ';
		printf(
			'<span class="smi-bulk-reason-wrap"><label for="smi-bulk-reason">%1$s</label> <input type="text" id="smi-bulk-reason" name="smi_bulk_reason" maxlength="500" placeholder="%2$s" /></span> ',
			esc_html__( 'Reason', 'sell-my-images' ),
			esc_attr__( 'Required for refunds and status changes', 'sell-my-images' )
		);
		if ( $this->total > count( $this->items ) ) {
			$count = $this->total_capped
				/* translators: %s: lower bound of the number of jobs. */
				? sprintf( __( '%s+', 'sell-my-images' ), number_format_i18n( $this->total ) )
				: number_format_i18n( $this->total );
			printf(
				'<label class="smi-apply-all-wrap"><input type="checkbox" name="smi_apply_all" value="1" id="smi-apply-all" /> %s</label>',
				/* translators: %s: number of jobs matching the filter. */
				esc_html( sprintf( __( 'Apply to all %s jobs matching this filter', 'sell-my-images' ), $count ) )
			);
		}
		echo '</div>';
	}

	/**
	 * One row, with data attributes the page's script reads.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 */
	public function single_row( $item ) {
		$job_id  = (string) ( $item['job_id'] ?? '' );
		$status  = (string) ( $item['status'] ?? '' );
		$credits = (int) ( $item['credits_estimate'] ?? $item['credits_used'] ?? 0 );
		printf(
			'<tr id="smi-job-%1$s" class="smi-job-row smi-row-status-%2$s" data-job-id="%1$s" data-status="%2$s" data-payment-status="%3$s" data-refundable="%4$d" data-credits="%5$d" data-currency="%6$s">',
			esc_attr( $job_id ),
			esc_attr( $status ),
			esc_attr( (string) ( $item['payment_status'] ?? '' ) ),
			(int) SMI_Format::refundable( $item ),
			(int) $credits,
			esc_attr( strtolower( (string) ( $item['currency'] ?? 'usd' ) ) )
		);
		$this->single_row_columns( $item );
		echo '</tr>';
	}
}
