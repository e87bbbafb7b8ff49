<?php
/**
 * The Jobs list's filter bar.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * The filters above the Jobs list (status and payment status as the daemon
 * lists them, the site-local From/To days, email or its start, post and
 * attachment IDs) and the inputs some bulk actions need (new status,
 * reason within the daemon's limit, "apply to all"). Every value is
 * escaped where it is printed.
 *
 * @since 1.1.0
 */
class SMI_Jobs_Filter_Bar {

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
	 * Builds the bar.
	 *
	 * @since 1.1.0
	 *
	 * @param SMI_Jobs_Query    $query  The request.
	 * @param SMI_Daemon_System $system The daemon's lists and limits.
	 */
	public function __construct( SMI_Jobs_Query $query, SMI_Daemon_System $system ) {
		$this->query  = $query;
		$this->system = $system;
	}

	/**
	 * Prints the filters and the bulk parameters.
	 *
	 * @since 1.1.0
	 *
	 * @param int  $total Jobs matching the filter.
	 * @param bool $exact Whether $total is exact.
	 * @param int  $shown Rows on this page.
	 */
	public function render( int $total, bool $exact, int $shown ): void {
		$f = $this->query->filters;
		echo '<div class="alignleft actions smi-filters" id="smi-filters">';
		$this->select( 'status', 'smi-filter-status', __( 'Filter by status', 'sell-my-images' ), __( 'All statuses', 'sell-my-images' ), $this->system->statuses(), array( 'SMI_Format', 'status_label' ), $f['status'] ?? '' );
		$this->select( 'payment_status', 'smi-filter-payment-status', __( 'Filter by payment status', 'sell-my-images' ), __( 'All payments', 'sell-my-images' ), $this->system->payment_statuses(), array( 'SMI_Format', 'payment_label' ), $f['payment_status'] ?? '' );
		if ( ! empty( $f['attention'] ) ) {
			echo '<input type="hidden" name="attention" value="1" />';
		}
		$fields = array(
			'created_from'  => array( 'date', __( 'From', 'sell-my-images' ), '' ),
			'created_to'    => array( 'date', __( 'To', 'sell-my-images' ), '' ),
			'email'         => array( 'text', __( 'Email', 'sell-my-images' ), __( 'Email or its start', 'sell-my-images' ) ),
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
		printf( ' <a href="%1$s" class="button-link" id="smi-filter-reset">%2$s</a>', esc_url( SMI_Admin_Jobs_Page::list_url() ), esc_html__( 'Reset', 'sell-my-images' ) );
		echo '</div>';
		$this->render_bulk_params( $total, $exact, $shown );
	}

	/**
	 * A select of daemon codes with their human labels.
	 *
	 * @since 1.1.0
	 *
	 * @param string   $name     Field name.
	 * @param string   $id       Element id.
	 * @param string   $label    Screen-reader label.
	 * @param string   $none     Label of the empty choice.
	 * @param string[] $codes    Codes offered.
	 * @param callable $labeler  Code → label.
	 * @param string   $selected Current value.
	 */
	private function select( string $name, string $id, string $label, string $none, array $codes, callable $labeler, string $selected ): void {
		printf( '<label class="screen-reader-text" for="%1$s">%2$s</label><select name="%3$s" id="%1$s"><option value="">%4$s</option>', esc_attr( $id ), esc_html( $label ), esc_attr( $name ), esc_html( $none ) );
		foreach ( $codes as $code ) {
			printf( '<option value="%1$s"%2$s>%3$s</option>', esc_attr( $code ), selected( $selected, $code, false ), esc_html( $labeler( $code ) ) );
		}
		echo '</select>';
	}

	/**
	 * Reason, status and "apply to all" inputs used by some bulk actions.
	 *
	 * @since 1.0.0
	 *
	 * @param int  $total Jobs matching the filter.
	 * @param bool $exact Whether $total is exact.
	 * @param int  $shown Rows on this page.
	 */
	private function render_bulk_params( int $total, bool $exact, int $shown ): void {
		echo '<div class="alignleft actions smi-bulk-params" id="smi-bulk-params">';
		echo '<span class="smi-bulk-status-wrap">';
		$this->select( 'smi_bulk_status', 'smi-bulk-status', __( 'New status', 'sell-my-images' ), __( '— Choose —', 'sell-my-images' ), $this->system->statuses(), array( 'SMI_Format', 'status_label' ), '' );
		echo '</span> ';
		printf(
			'<span class="smi-bulk-reason-wrap"><label for="smi-bulk-reason">%1$s</label> <input type="text" id="smi-bulk-reason" name="smi_bulk_reason"%2$s placeholder="%3$s" /></span> ',
			esc_html__( 'Reason', 'sell-my-images' ),
			$this->system->maxlength( 'reason_max' ), // Escaped in maxlength().
			esc_attr__( 'Required for refunds and status changes', 'sell-my-images' )
		);
		if ( $total > $shown ) {
			$count = $exact ? number_format_i18n( $total )
				/* translators: %s: estimated number of jobs. */
				: sprintf( __( 'about %s', 'sell-my-images' ), number_format_i18n( $total ) );
			printf(
				'<label class="smi-apply-all-wrap"><input type="checkbox" name="smi_apply_all" value="1" id="smi-apply-all" /> %s</label>',
				/* translators: %s: number of jobs matching the filter. */
				esc_html( sprintf( __( 'Apply to all %s jobs matching this filter', 'sell-my-images' ), $count ) )
			);
		}
		echo '</div>';
	}
}
