<?php
/**
 * The Jobs list.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-smi-jobs-filter-bar.php';
require_once __DIR__ . '/class-smi-job-preview.php';
require_once __DIR__ . '/class-smi-job-row-actions.php';
require_once __DIR__ . '/class-smi-page-posts.php';
require_once __DIR__ . '/class-smi-job-cells.php';

if ( ! class_exists( 'WP_List_Table' ) ) {
	require_once ABSPATH . 'wp-admin/includes/class-wp-list-table.php';
}

/**
 * Lists jobs from the daemon's `GET /v1/jobs` for an SMI_Jobs_Query, with
 * status views from `GET /v1/stats`, filters, search, sorting, cursor paging
 * (SMI_Jobs_Pager) and bulk actions. Each row shows what the daemon says
 * about it: its statuses, what needs attention, its last error, and only the
 * actions the daemon allows. Every value is escaped where it is printed.
 *
 * @since 1.0.0
 */
class SMI_Jobs_List_Table extends WP_List_Table {

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * The request.
	 *
	 * @since 1.1.0
	 * @var SMI_Jobs_Query
	 */
	private SMI_Jobs_Query $query;

	/**
	 * The daemon's lists and limits.
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_System
	 */
	private SMI_Daemon_System $system;

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
	 * The daemon's counts for the views.
	 *
	 * @since 1.0.0
	 * @var array
	 */
	private array $stats = array();

	/**
	 * The page's posts and attachments, loaded once.
	 *
	 * @since 1.2.0
	 * @var SMI_Page_Posts
	 */
	private SMI_Page_Posts $posts;

	/**
	 * The cells of a row, drawn with the page's posts.
	 *
	 * @since 1.2.0
	 * @var SMI_Job_Cells
	 */
	private SMI_Job_Cells $cells;

	/**
	 * The pager, once the page is loaded.
	 *
	 * @since 1.1.0
	 * @var SMI_Jobs_Pager|null
	 */
	public ?SMI_Jobs_Pager $pager = null;

	/**
	 * The list's URL for the row actions to come back to, once per page.
	 *
	 * @since 1.2.0
	 * @var string|null
	 */
	private ?string $back = null;

	/**
	 * Builds the table.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client Daemon client.
	 * @param SMI_Jobs_Query    $query  The request.
	 * @param SMI_Daemon_System $system The daemon's lists and limits.
	 * @param array             $args   Optional. WP_List_Table arguments.
	 */
	public function __construct( SMI_Daemon_Client $client, SMI_Jobs_Query $query, SMI_Daemon_System $system, array $args = array() ) {
		$this->client = $client;
		$this->query  = $query;
		$this->system = $system;
		$this->posts  = new SMI_Page_Posts( array() );
		$this->cells  = new SMI_Job_Cells( $this->posts );
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
	 * The request the table shows.
	 *
	 * @since 1.1.0
	 *
	 * @return SMI_Jobs_Query
	 */
	public function query(): SMI_Jobs_Query {
		return $this->query;
	}

	/**
	 * Rows per page: the Screen Options value, within the daemon's limit.
	 *
	 * @since 1.1.0
	 *
	 * @return int
	 */
	public function per_page(): int {
		$per_page = max( 1, (int) $this->get_items_per_page( 'smi_jobs_per_page', 25 ) );
		$max      = $this->system->limit( 'per_page_max' );
		return null === $max ? $per_page : min( $max, $per_page );
	}

	/**
	 * Number of jobs matching (exact or estimated).
	 *
	 * @since 1.1.0
	 *
	 * @return int
	 */
	public function total(): int {
		return $this->pager ? $this->pager->total : 0;
	}

	/**
	 * Whether total() is exact.
	 *
	 * @since 1.1.0
	 *
	 * @return bool
	 */
	public function total_exact(): bool {
		return ! $this->pager || $this->pager->exact;
	}

	/**
	 * Loads the page of jobs and the view counts, and primes WordPress's
	 * caches for every post and attachment the rows show (two queries
	 * instead of several per row).
	 *
	 * @since 1.0.0
	 */
	public function prepare_items() {
		$per_page              = $this->per_page();
		$this->_column_headers = array( $this->get_columns(), get_hidden_columns( $this->screen ), $this->get_sortable_columns(), 'job_id' );

		// Counts only, over the date range: the views' numbers.
		$stats = $this->client->get( '/v1/stats', $this->query->date_bounds() + array( 'only' => 'counts' ) );
		if ( is_wp_error( $stats ) ) {
			$this->stats_error = $stats;
		} else {
			$this->stats = $stats;
		}

		$result = $this->client->get( '/v1/jobs', $this->query->list_args( $per_page ) );
		if ( is_wp_error( $result ) ) {
			$this->error = $result;
			$this->items = array();
			return;
		}
		$this->items = array_values( array_filter( (array) ( $result['jobs'] ?? array() ), 'is_array' ) );
		$this->pager = new SMI_Jobs_Pager( $this->query, $result, $per_page );

		$this->posts = new SMI_Page_Posts( $this->items );
		$this->cells = new SMI_Job_Cells( $this->posts );
		$this->set_pagination_args(
			array(
				'total_items' => $this->pager->total,
				'per_page'    => $per_page,
				'total_pages' => $this->pager->pages,
			)
		);
	}

	/**
	 * Prints the table; the parent's markup with a stable id on the table.
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
	 * The cursor pager.
	 *
	 * @since 1.0.0
	 *
	 * @param string $which top|bottom.
	 */
	protected function pagination( $which ) {
		if ( $this->pager ) {
			echo $this->pager->html( $which ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped in SMI_Jobs_Pager::html().
		}
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
	 * Sortable columns: those the daemon lists as sort columns.
	 *
	 * @since 1.0.0
	 *
	 * @return array
	 */
	protected function get_sortable_columns() {
		$out = array();
		foreach ( array_intersect( array_keys( $this->get_columns() ), $this->system->sort_columns() ) as $column ) {
			$out[ $column ] = array( $column, in_array( $column, array( 'created_at', 'amount_charged' ), true ) );
		}
		return $out;
	}

	/**
	 * Bulk actions, sent to `POST /v1/jobs/batch`: the daemon's actions, two
	 * of them also offered with their option ticked.
	 *
	 * @since 1.0.0
	 *
	 * @return string[]
	 */
	protected function get_bulk_actions() {
		$extra = array(
			'retry'            => array( 'retry_unpaid' => __( 'Retry upscaling, even if refunded (gives the work away)', 'sell-my-images' ) ),
			'regenerate_token' => array( 'regenerate_token_email' => __( 'Regenerate download links and email them', 'sell-my-images' ) ),
		);
		$out   = array();
		foreach ( $this->system->codes( 'actions' ) as $action ) {
			if ( ! in_array( $action, SMI_Jobs_Query::BULK_CHOICES, true ) ) {
				continue;
			}
			$out[ $action ] = 'refund' === $action ? __( 'Refund (full)', 'sell-my-images' ) : SMI_Format::action_label( $action );
			$out           += $extra[ $action ] ?? array();
		}
		return $out;
	}

	/**
	 * The bulk action selector as WordPress draws it, its Apply button
	 * named SMI_Jobs_Query::APPLY (WordPress leaves it nameless): the
	 * request then says whether Apply was pressed, so Enter in a search or
	 * filter field never runs the chosen bulk action.
	 *
	 * @since 1.2.0
	 *
	 * @param string $which Top or bottom.
	 */
	protected function bulk_actions( $which = '' ) {
		ob_start();
		parent::bulk_actions( $which );
		$html = (string) ob_get_clean();
		echo preg_replace( '/<input type="submit"(?: name="")? id="(doaction2?)"/', '<input type="submit" name="' . SMI_Jobs_Query::APPLY . '" id="$1"', $html ); // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- WordPress's own markup, escaped by it; the name is a constant.
	}

	/**
	 * Views: all, needs attention, then each status with jobs (zero-count
	 * statuses are left out unless current).
	 *
	 * @since 1.0.0
	 *
	 * @return string[]
	 */
	protected function get_views() {
		$filters   = $this->query->filters;
		$current   = $filters['status'] ?? '';
		$base      = SMI_Admin_Jobs_Page::list_url( array_intersect_key( $filters, array_flip( array( 'created_from', 'created_to' ) ) ) );
		$counts    = (array) ( $this->stats['by_status'] ?? array() );
		$known     = (bool) $this->stats;
		$views     = array(
			'all' => $this->view_link( $base, __( 'All', 'sell-my-images' ), isset( $this->stats['total'] ) ? (int) $this->stats['total'] : null, '' === $current && empty( $filters['attention'] ), 'all' ),
		);
		$attention = isset( $this->stats['attention'] ) ? (int) $this->stats['attention'] : null;
		if ( $attention || ! empty( $filters['attention'] ) ) {
			$views['attention'] = $this->view_link( add_query_arg( 'attention', 1, $base ), __( 'Needs attention', 'sell-my-images' ), $attention, ! empty( $filters['attention'] ), 'attention' );
		}
		foreach ( $this->system->statuses() as $status ) {
			$count = $known ? (int) ( $counts[ $status ] ?? 0 ) : null;
			if ( 0 === $count && $current !== $status ) {
				continue;
			}
			$views[ $status ] = $this->view_link( add_query_arg( 'status', $status, $base ), SMI_Format::status_label( $status ), $count, $current === $status, $status );
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
	 * Filters and bulk parameters above the table.
	 *
	 * @since 1.0.0
	 *
	 * @param string $which top|bottom.
	 */
	protected function extra_tablenav( $which ) {
		if ( 'top' === $which ) {
			( new SMI_Jobs_Filter_Bar( $this->query, $this->system ) )->render( $this->total(), $this->total_exact(), count( $this->items ) );
		}
	}

	/**
	 * One row, with data attributes the page's script reads (and the row's
	 * preview as JSON of plain-text values).
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 */
	public function single_row( $item ) {
		$job_id = (string) ( $item['job_id'] ?? '' );
		$status = (string) ( $item['status'] ?? '' );
		printf(
			'<tr id="smi-job-%1$s" class="smi-job-row smi-row-status-%2$s" data-job-id="%1$s" data-status="%2$s" data-payment-status="%3$s" data-refundable="%4$d" data-credits="%5$d" data-currency="%6$s" data-state="%7$s" data-preview="%8$s">',
			esc_attr( $job_id ),
			esc_attr( $status ),
			esc_attr( (string) ( $item['payment_status'] ?? '' ) ),
			(int) ( $item['refundable'] ?? 0 ),
			(int) ( $item['credits_estimate'] ?? $item['credits_used'] ?? 0 ),
			esc_attr( strtolower( (string) ( $item['currency'] ?? 'usd' ) ) ),
			esc_attr( SMI_Format::state_key( $item ) ),
			esc_attr( (string) wp_json_encode( SMI_Job_Preview::of( $item, $this->posts->get( (int) ( $item['post_id'] ?? 0 ) ) ) ) )
		);
		$this->single_row_columns( $item );
		echo '</tr>';
	}

	/* ---- Columns ---- */

	/**
	 * Checkbox column.
	 *
	 * @since 1.0.0
	 *
	 * @param array $item Job.
	 * @return string
	 */
	protected function column_cb( $item ) {
		$job_id = (string) ( $item['job_id'] ?? '' );
		return sprintf(
			'<label class="screen-reader-text" for="cb-select-%1$s">%2$s</label><input type="checkbox" id="cb-select-%1$s" name="job_ids[]" value="%1$s" />',
			esc_attr( $job_id ),
			/* translators: %s: job ID. */
			esc_html( sprintf( __( 'Select job %s', 'sell-my-images' ), $job_id ) )
		);
	}

	/**
	 * Row actions: view, preview, then those the daemon allows on the job
	 * (SMI_Job_Row_Actions).
	 *
	 * @since 1.0.0
	 *
	 * @param array  $item        Job.
	 * @param string $column_name Column.
	 * @param string $primary     Primary column.
	 * @return string
	 */
	protected function handle_row_actions( $item, $column_name, $primary ) {
		if ( $primary !== $column_name ) {
			return '';
		}
		$this->back = $this->back ?? SMI_Admin_Jobs_Page::list_url( $this->query->page_args() );
		return $this->row_actions( SMI_Job_Row_Actions::of( $item, $this->back ) );
	}

	/**
	 * Every column but the checkbox: the job's cell (SMI_Job_Cells).
	 *
	 * @since 1.0.0
	 *
	 * @param array  $item        Job.
	 * @param string $column_name Column.
	 * @return string
	 */
	protected function column_default( $item, $column_name ) {
		return $this->cells->html( (string) $column_name, (array) $item );
	}
}
