<?php
/**
 * Sell My Images > Jobs.
 *
 * @package SellMyImages
 * @since   1.0.0
 */

defined( 'ABSPATH' ) || exit;

require_once __DIR__ . '/class-smi-daemon-system.php';
require_once __DIR__ . '/class-smi-jobs-query.php';
require_once __DIR__ . '/class-smi-jobs-pager.php';
require_once __DIR__ . '/class-smi-jobs-summary.php';

/**
 * The menu (with a count of the jobs that need attention) and the Jobs
 * screen: the money strip and the list (its bulk actions processed on
 * `load-{$hook_suffix}` before any output), or one job's details when the
 * URL has `&job=<uuid>`.
 *
 * @since 1.0.0
 */
class SMI_Admin_Jobs_Page {

	/**
	 * Menu slug of the Jobs screen.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	const SLUG = 'smi-jobs';

	/**
	 * Columns hidden until the admin shows them (Screen Options).
	 *
	 * @since 1.1.0
	 * @var string[]
	 */
	const DEFAULT_HIDDEN = array( 'attachment', 'resolution', 'amount_cost' );

	/**
	 * Daemon client.
	 *
	 * @since 1.0.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * The daemon's lists and limits.
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_System
	 */
	private SMI_Daemon_System $system;

	/**
	 * The money strip, built on load.
	 *
	 * @since 1.1.0
	 * @var SMI_Jobs_Summary|null
	 */
	private ?SMI_Jobs_Summary $summary = null;

	/**
	 * Action handlers (bulk actions).
	 *
	 * @since 1.0.0
	 * @var SMI_Job_Actions
	 */
	private SMI_Job_Actions $actions;

	/**
	 * Hook suffix of the screen.
	 *
	 * @since 1.0.0
	 * @var string
	 */
	private string $hook = '';

	/**
	 * The list, built on load.
	 *
	 * @since 1.0.0
	 * @var SMI_Jobs_List_Table|null
	 */
	private ?SMI_Jobs_List_Table $table = null;

	/**
	 * Builds the screen.
	 *
	 * @since 1.0.0
	 *
	 * @param SMI_Daemon_Client $client  Daemon client.
	 * @param SMI_Job_Actions   $actions Action handlers.
	 */
	public function __construct( SMI_Daemon_Client $client, SMI_Job_Actions $actions ) {
		$this->client  = $client;
		$this->actions = $actions;
		$this->system  = $actions->system();
	}

	/**
	 * Hooks the screen.
	 *
	 * @since 1.0.0
	 */
	public function register(): void {
		add_action( 'admin_menu', array( $this, 'add_menu' ) );
		add_filter( 'set-screen-option', array( $this, 'save_screen_option' ), 10, 3 ); // phpcs:ignore WordPress.NamingConventions.ValidHookName.UseUnderscores -- core hook name.
		add_filter( 'set_screen_option_smi_jobs_per_page', array( $this, 'save_screen_option' ), 10, 3 );
		add_action( 'admin_enqueue_scripts', array( $this, 'enqueue' ) );
		add_filter( 'default_hidden_columns', array( $this, 'default_hidden_columns' ), 10, 2 );
	}

	/**
	 * Less-used columns start hidden; Screen Options shows them (and core
	 * saves the choice per user).
	 *
	 * @since 1.1.0
	 *
	 * @param string[]  $hidden Hidden columns.
	 * @param WP_Screen $screen Screen.
	 * @return string[]
	 */
	public function default_hidden_columns( $hidden, $screen ) {
		if ( $screen instanceof WP_Screen && 'toplevel_page_' . self::SLUG === $screen->id ) {
			return array_merge( (array) $hidden, self::DEFAULT_HIDDEN );
		}
		return $hidden;
	}

	/**
	 * Number of jobs that need attention, from `/v1/stats` (cached for a
	 * minute); null when the daemon could not say.
	 *
	 * @since 1.1.0
	 *
	 * @return int|null
	 */
	public function attention_count(): ?int {
		$cached = SMI_Cache::get( SMI_Cache::ATTENTION, MINUTE_IN_SECONDS );
		if ( null !== $cached && array_key_exists( 'count', $cached ) ) {
			return null === $cached['count'] ? null : (int) $cached['count'];
		}
		$stats = $this->client->get( '/v1/stats', array( 'only' => 'counts' ), array( 'timeout' => 3 ) );
		$count = ! is_wp_error( $stats ) && isset( $stats['attention'] ) ? (int) $stats['attention'] : null;
		// A failure is remembered too: a daemon that is down must not slow
		// every admin page.
		SMI_Cache::set( SMI_Cache::ATTENTION, array( 'count' => $count ) );
		return $count;
	}

	/**
	 * The menu title with WordPress's count bubble when jobs need attention.
	 *
	 * @since 1.1.0
	 *
	 * @return string HTML.
	 */
	private function menu_title(): string {
		$title = esc_html__( 'Sell My Images', 'sell-my-images' );
		$count = current_user_can( SMI_Capabilities::MANAGE ) ? (int) $this->attention_count() : 0;
		if ( $count > 0 ) {
			$title .= sprintf(
				' <span class="awaiting-mod count-%1$d" id="smi-attention-bubble"><span class="pending-count" aria-hidden="true">%2$s</span><span class="screen-reader-text">%3$s</span></span>',
				$count,
				esc_html( number_format_i18n( $count ) ),
				/* translators: %s: number of jobs. */
				esc_html( sprintf( _n( '%s job needs attention', '%s jobs need attention', $count, 'sell-my-images' ), number_format_i18n( $count ) ) )
			);
		}
		return $title;
	}

	/**
	 * URL of a job's details.
	 *
	 * @since 1.0.0
	 *
	 * @param string $job_id Job UUID.
	 * @return string
	 */
	public static function job_url( string $job_id ): string {
		return add_query_arg(
			array(
				'page' => self::SLUG,
				'job'  => $job_id,
			),
			admin_url( 'admin.php' )
		);
	}

	/**
	 * URL of the list.
	 *
	 * @since 1.0.0
	 *
	 * @param array $args View arguments, as the request gave them (decoded).
	 * @return string
	 */
	public static function list_url( array $args = array() ): string {
		return self::url_with( admin_url( 'admin.php' ), array_merge( array( 'page' => self::SLUG ), $args ) );
	}

	/**
	 * A URL with query arguments, each value encoded: add_query_arg() puts
	 * values in as they are, so an email with "+" or a search with "&" or
	 * "#" would come back as another filter.
	 *
	 * @since 1.2.0
	 *
	 * @param string $url  Base URL.
	 * @param array  $args Arguments (decoded).
	 * @return string
	 */
	public static function url_with( string $url, array $args ): string {
		return add_query_arg( urlencode_deep( $args ), $url );
	}

	/**
	 * Adds the top-level menu and its Jobs submenu.
	 *
	 * @since 1.0.0
	 */
	public function add_menu(): void {
		$this->hook = (string) add_menu_page(
			__( 'Sell My Images', 'sell-my-images' ),
			$this->menu_title(),
			SMI_Capabilities::MANAGE,
			self::SLUG,
			array( $this, 'render' ),
			'dashicons-format-image',
			58
		);
		add_submenu_page( self::SLUG, __( 'Jobs', 'sell-my-images' ), __( 'Jobs', 'sell-my-images' ), SMI_Capabilities::MANAGE, self::SLUG, array( $this, 'render' ) );
		add_action( 'load-' . $this->hook, array( $this, 'on_load' ) );
	}

	/**
	 * Saves the per-page screen option (1 to the daemon's per_page_max).
	 *
	 * @since 1.0.0
	 *
	 * @param mixed  $keep   Value to save (false = do not save).
	 * @param string $option Option name.
	 * @param mixed  $value  Submitted value.
	 * @return mixed
	 */
	public function save_screen_option( $keep, $option, $value ) {
		if ( 'smi_jobs_per_page' !== $option ) {
			return $keep;
		}
		$value = absint( $value );
		$max   = $this->system->limit( 'per_page_max' ) ?? 999; // Unknown: WordPress's own ceiling; the daemon judges.
		return $value >= 1 && $value <= $max ? $value : $keep;
	}

	/**
	 * Before output: screen option, bulk actions (then redirect), the list's data.
	 *
	 * @since 1.0.0
	 */
	public function on_load(): void {
		if ( ! current_user_can( SMI_Capabilities::MANAGE ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage Sell My Images jobs.', 'sell-my-images' ), '', array( 'response' => 403 ) );
		}
		$req = wp_unslash( $_GET ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- nonce checked in process_bulk.
		if ( isset( $req['job'] ) ) {
			return;
		}

		add_screen_option(
			'per_page',
			array(
				'label'   => __( 'Jobs per page', 'sell-my-images' ),
				'default' => 25,
				'option'  => 'smi_jobs_per_page',
			)
		);

		$query = new SMI_Jobs_Query( $req, $this->system );
		if ( '' !== $query->bulk_action ) {
			$this->actions->redirect( $this->actions->process_bulk( $req ) );
		}
		if ( ! empty( $req['_wp_http_referer'] ) ) {
			// A plain filter submit: drop the nonce fields so the URL stays
			// bookmarkable, and the page when the filter changed.
			$drop = array( '_wp_http_referer', '_wpnonce', 'action', 'action2', SMI_Jobs_Query::APPLY, 'filter_action', 'smi_bulk_reason', 'smi_bulk_status', 'cursor', 'position' );
			if ( ! empty( $req['filter_action'] ) ) {
				$drop[] = 'paged';
			}
			$this->actions->redirect( remove_query_arg( $drop, wp_unslash( $_SERVER['REQUEST_URI'] ?? '' ) ) ); // phpcs:ignore WordPress.Security.ValidatedSanitizedInput.InputNotSanitized -- redirect target is validated by wp_safe_redirect.
		}
		$this->build( $query );
	}

	/**
	 * Loads the list and the money strip for a request.
	 *
	 * @since 1.1.0
	 *
	 * @param SMI_Jobs_Query $query The request.
	 */
	private function build( SMI_Jobs_Query $query ): void {
		require_once __DIR__ . '/class-smi-jobs-list-table.php';
		$this->table = new SMI_Jobs_List_Table( $this->client, $query, $this->system );
		$this->table->prepare_items();
		$this->summary = new SMI_Jobs_Summary( $query->daemon_filter() ); // Figures come by wp_ajax_smi_job_summary.
	}

	/**
	 * Loads the page's script and styles on this screen only.
	 *
	 * @since 1.0.0
	 *
	 * @param string $hook_suffix Current screen.
	 */
	public function enqueue( $hook_suffix ): void {
		if ( $hook_suffix !== $this->hook ) {
			return;
		}
		wp_enqueue_style( 'smi-admin', plugins_url( 'assets/css/admin.css', SMI_PLUGIN_FILE ), array(), SMI_VERSION );
		wp_enqueue_script( 'smi-admin-jobs', plugins_url( 'assets/js/admin-jobs.js', SMI_PLUGIN_FILE ), array( 'wp-i18n' ), SMI_VERSION, true );
		$statuses = array();
		foreach ( $this->system->statuses() as $status ) {
			$statuses[ $status ] = SMI_Format::status_label( $status );
		}
		wp_localize_script(
			'smi-admin-jobs',
			'smiJobs',
			array(
				'ajaxUrl'       => admin_url( 'admin-ajax.php' ),
				'nonce'         => wp_create_nonce( SMI_Admin_Ajax::NONCE ),
				'pollInterval' => 5000,
				'total'        => $this->table ? $this->table->total() : 0,
				'totalExact'   => $this->table ? $this->table->total_exact() : true,
				'statusLabels' => $statuses,
				'i18n'         => array(
					/* translators: 1: number of jobs, 2: amount of money. */
					'confirmRefund'    => __( 'Refund %1$d job(s) in full, %2$s in total? The money goes back to the customers and this cannot be undone.', 'sell-my-images' ),
					/* translators: %s: number of jobs, e.g. "all 1,234". */
					'confirmRefundAll' => __( 'Refund %s matching job(s) in full (each for its remaining amount)? This cannot be undone.', 'sell-my-images' ),
					/* translators: 1: number of jobs, 2: number of credits. */
					'confirmRetry'     => __( 'Retry upscaling for %1$d job(s)? This uses about %2$d Upsampler credits.', 'sell-my-images' ),
					/* translators: %s: number of jobs. */
					'confirmRetryAll'  => __( 'Retry upscaling for %s matching job(s)? Each uses Upsampler credits again.', 'sell-my-images' ),
					/* translators: 1: number of jobs, 2: status label. */
					'confirmStatus'    => __( 'Set the status of %1$s job(s) to "%2$s"?', 'sell-my-images' ),
					/* translators: %s: number of jobs. */
					'confirmTokens'    => __( 'Create new download links for %s job(s)? The current links stop working.', 'sell-my-images' ),
					/* translators: %s: number of jobs. */
					'confirmGeneric'   => __( 'Apply this action to %s job(s)?', 'sell-my-images' ),
					'needReason'       => __( 'Enter a reason first: it is recorded with the change.', 'sell-my-images' ),
					'needStatus'       => __( 'Choose the new status first.', 'sell-my-images' ),
					'needSelection'    => __( 'Select at least one job, or tick "Apply to all".', 'sell-my-images' ),
					'pause'            => __( 'Pause auto-refresh', 'sell-my-images' ),
					'resume'           => __( 'Resume auto-refresh', 'sell-my-images' ),
					'refreshFailed'    => __( 'Auto-refresh could not reach the daemon; retrying.', 'sell-my-images' ),
					/* translators: 1: jobs done, 2: total jobs, 3: failed jobs. */
					'batchProgress'    => __( 'Batch running: %1$d of %2$d done, %3$d failed.', 'sell-my-images' ),
					/* translators: 1: jobs done, 2: total jobs, 3: failed jobs. */
					'batchDone'        => __( 'Batch finished: %1$d of %2$d done, %3$d failed. Reload the page to see the changes.', 'sell-my-images' ),
					'batchCancelled'   => __( 'Batch cancelled.', 'sell-my-images' ),
					'cancelBatch'      => __( 'Cancel the batch', 'sell-my-images' ),
					'confirmCancel'    => __( 'Stop this batch? Jobs already handled stay handled.', 'sell-my-images' ),
					'close'            => __( 'Close', 'sell-my-images' ),
					'openDetails'      => __( 'Open the details', 'sell-my-images' ),
					/* translators: %s: estimated number of jobs. */
					'about'            => __( 'about %s', 'sell-my-images' ),
					'summaryError'     => __( 'The totals for this view could not be loaded.', 'sell-my-images' ),
					/* translators: %s: amount of money. */
					'confirmRefundOne' => __( 'Refund %s to the customer? This cannot be undone.', 'sell-my-images' ),
				),
			)
		);
	}

	/**
	 * Prints the screen.
	 *
	 * @since 1.0.0
	 */
	public function render(): void {
		if ( ! current_user_can( SMI_Capabilities::MANAGE ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to manage Sell My Images jobs.', 'sell-my-images' ), '', array( 'response' => 403 ) );
		}
		$req = wp_unslash( $_GET ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read-only view.
		if ( isset( $req['job'] ) ) {
			( new SMI_Job_Details( $this->client, $this->system ) )->render( is_string( $req['job'] ) ? strtolower( $req['job'] ) : '' );
			return;
		}
		if ( ! $this->table ) {
			$this->build( new SMI_Jobs_Query( $req, $this->system ) );
		}
		$table  = $this->table;
		$export = wp_nonce_url( self::url_with( admin_url( 'admin-post.php' ), array_merge( array( 'action' => 'smi_export' ), $table->query()->url_args() ) ), 'smi_export' );
		?>
		<div class="wrap smi-wrap" id="smi-jobs-page">
			<h1 class="wp-heading-inline"><?php esc_html_e( 'Jobs', 'sell-my-images' ); ?></h1>
			<a href="<?php echo esc_url( $export ); ?>" class="page-title-action" id="smi-export-csv"><?php esc_html_e( 'Export CSV', 'sell-my-images' ); ?></a>
			<button type="button" class="page-title-action" id="smi-autorefresh-toggle" aria-pressed="false" hidden><?php esc_html_e( 'Pause auto-refresh', 'sell-my-images' ); ?></button>
			<hr class="wp-header-end" />
			<?php
			/** This action is documented in includes/class-smi-onboarding.php */
			do_action( SMI_Onboarding::IN_PLACE );
			SMI_Notices::render_queued();
			self::render_one_time_link( $req );
			$this->render_batch_progress( $req );
			if ( $table->error ) {
				SMI_Notices::render( 'error', SMI_Notices::error_html( $table->error, __( 'The jobs could not be loaded.', 'sell-my-images' ) ), 'smi-daemon-error' );
			} elseif ( $table->stats_error ) {
				SMI_Notices::render( 'warning', SMI_Notices::error_html( $table->stats_error, __( 'The counts could not be loaded.', 'sell-my-images' ) ), 'smi-stats-error' );
			}
			$table->views();
			if ( $this->summary ) {
				$this->summary->render();
			}
			?>
			<form id="smi-jobs-filter" method="get" action="<?php echo esc_url( admin_url( 'admin.php' ) ); ?>">
				<input type="hidden" name="page" value="<?php echo esc_attr( self::SLUG ); ?>" />
				<?php
				$table->search_box( __( 'Search jobs', 'sell-my-images' ), 'smi-jobs' );
				$table->display();
				?>
			</form>
			<p class="description smi-search-help"><?php esc_html_e( 'Search finds post titles, a job ID (or its first 8+ characters), an email, @domain, or a post/attachment ID. The Email field also takes the start of an address. From and To are days in the site\'s time zone.', 'sell-my-images' ); ?></p>
			<dialog id="smi-preview" class="smi-preview-dialog" aria-labelledby="smi-preview-title">
				<h2 id="smi-preview-title"></h2>
				<dl class="smi-preview-fields"></dl>
				<p><a class="button button-primary smi-preview-open" href="#"><?php esc_html_e( 'Open the details', 'sell-my-images' ); ?></a> <button type="button" class="button smi-preview-close"><?php esc_html_e( 'Close', 'sell-my-images' ); ?></button></p>
			</dialog>
		</div>
		<?php
	}

	/**
	 * Shows a new download link once, from the key in the URL.
	 *
	 * @since 1.0.0
	 *
	 * @param array $req Unslashed request.
	 */
	public static function render_one_time_link( array $req ): void {
		if ( empty( $req['smi_link'] ) || ! is_string( $req['smi_link'] ) ) {
			return;
		}
		$link = SMI_Job_Actions::take_one_time_link( $req['smi_link'] );
		if ( ! $link ) {
			return;
		}
		$html = sprintf(
			/* translators: 1: the download link, 2: expiry date. */
			__( 'New download link (shown only once, copy it now): %1$s — expires %2$s.', 'sell-my-images' ),
			'<input type="text" readonly class="large-text code" id="smi-new-download-link" value="' . esc_attr( $link['url'] ) . '" />',
			esc_html( SMI_Format::datetime( $link['expires_at'] ) )
		);
		SMI_Notices::render( 'success', $html, 'smi-new-link-notice' );
	}

	/**
	 * A progress notice for a running daemon batch (polled by the script).
	 *
	 * @since 1.0.0
	 *
	 * @param array $req Unslashed request.
	 */
	private function render_batch_progress( array $req ): void {
		if ( empty( $req['smi_batch'] ) || ! is_string( $req['smi_batch'] ) || ! preg_match( '/^[A-Za-z0-9_-]{1,64}$/', $req['smi_batch'] ) ) {
			return;
		}
		SMI_Notices::render(
			'info',
			'<span class="smi-batch-text">' . esc_html__( 'Batch started; waiting for progress…', 'sell-my-images' ) . '</span> <progress class="smi-batch-bar" max="1" value="0"></progress> <button type="button" class="button button-small smi-batch-cancel" id="smi-batch-cancel" hidden>' . esc_html__( 'Cancel the batch', 'sell-my-images' ) . '</button>',
			'smi-batch-progress',
			array( 'batch-id' => $req['smi_batch'] )
		);
	}
}
