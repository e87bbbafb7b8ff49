<?php
/**
 * WP-CLI: `wp smi jobs list|get|retry|refund|export`.
 *
 * @package SellMyImages
 * @since   1.1.0
 */

defined( 'ABSPATH' ) || exit;

/**
 * Lists, shows, retries, refunds and exports jobs through the daemon's API.
 * The daemon validates every filter and answers with a message naming the
 * parameter; that message is what the command prints.
 *
 * ## EXAMPLES
 *
 *     $ wp smi jobs list --status=failed --format=csv
 *     $ wp smi jobs get 0b6f3c9e-1d2a-4c5b-8e7f-123456789abc
 *     $ wp smi jobs retry 0b6f3c9e-1d2a-4c5b-8e7f-123456789abc --reason="provider outage"
 *     $ wp smi jobs refund 0b6f3c9e-1d2a-4c5b-8e7f-123456789abc --amount=5.00 --reason="late delivery"
 *     $ wp smi jobs export --created_from=2026-11-01 --file=november.csv
 *
 * @since 1.1.0
 */
class SMI_CLI_Jobs {

	/**
	 * Daemon client.
	 *
	 * @since 1.1.0
	 * @var SMI_Daemon_Client
	 */
	private SMI_Daemon_Client $client;

	/**
	 * Filters passed to the daemon as they are.
	 *
	 * @since 1.1.0
	 * @var string[]
	 */
	const FILTERS = array( 'status', 'payment_status', 'email', 'post_id', 'attachment_id', 'created_from', 'created_to', 'orderby', 'order' );

	/**
	 * Columns of `list` by default.
	 *
	 * @since 1.1.0
	 * @var string[]
	 */
	const LIST_FIELDS = array( 'job_id', 'created_at', 'status', 'payment_status', 'amount', 'email', 'resolution' );

	/**
	 * Builds the command (WP-CLI calls it without arguments).
	 *
	 * @since 1.1.0
	 *
	 * @param SMI_Daemon_Client|null $client Optional client; default the plugin's.
	 */
	public function __construct( ?SMI_Daemon_Client $client = null ) {
		$this->client = $client ?? SMI_CLI::default_client();
	}

	/**
	 * Lists jobs, newest first.
	 *
	 * ## OPTIONS
	 *
	 * [--status=<status>]
	 * : Comma-separated statuses: awaiting_payment, pending, processing, completed, failed, abandoned.
	 *
	 * [--payment_status=<payment_status>]
	 * : Comma-separated payment statuses: pending, paid, failed, partially_refunded, refunded.
	 *
	 * [--email=<email>]
	 * : Customer email.
	 *
	 * [--post_id=<id>]
	 * : Post the image was bought from.
	 *
	 * [--attachment_id=<id>]
	 * : Attachment bought.
	 *
	 * [--created_from=<date>]
	 * : First day (YYYY-MM-DD) or RFC 3339 time.
	 *
	 * [--created_to=<date>]
	 * : Last day (included) or RFC 3339 time.
	 *
	 * [--search=<text>]
	 * : A job ID or its first 8+ characters, an email, an email prefix, @domain, or a post or attachment ID.
	 *
	 * [--orderby=<column>]
	 * : created_at, paid_at, completed_at, amount_charged, status, payment_status or email.
	 *
	 * [--order=<order>]
	 * : asc or desc.
	 *
	 * [--per_page=<n>]
	 * : Jobs per page, 1 to 500.
	 * ---
	 * default: 100
	 * ---
	 *
	 * [--page=<n>]
	 * : Page number.
	 * ---
	 * default: 1
	 * ---
	 *
	 * [--fields=<fields>]
	 * : Limit the output to these fields (any of the daemon's job fields, plus amount).
	 *
	 * [--field=<field>]
	 * : Print only this field of each job.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - csv
	 *   - json
	 *   - yaml
	 *   - ids
	 *   - count
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp smi jobs list --status=failed,processing
	 *     $ wp smi jobs list --search=@example.com --format=json
	 *     $ wp smi jobs list --format=ids --status=failed
	 *
	 * @subcommand list
	 * @since 1.1.0
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function list_( $args, $assoc_args ): void {
		$query             = $this->filters( $assoc_args );
		$query['per_page'] = (int) ( $assoc_args['per_page'] ?? 100 );
		$query['page']     = (int) ( $assoc_args['page'] ?? 1 );
		$data              = $this->client->get( '/v1/jobs', $query, array( 'timeout' => 30 ) );
		if ( is_wp_error( $data ) ) {
			WP_CLI::error( $data->get_error_message() );
		}
		$items = array();
		foreach ( (array) ( $data['jobs'] ?? array() ) as $job ) {
			if ( is_array( $job ) ) {
				$items[] = $this->row( $job );
			}
		}
		$format = (string) ( $assoc_args['format'] ?? 'table' );
		if ( 'count' === $format ) {
			// The daemon's total for the filter, not the length of one page.
			WP_CLI::line( (string) (int) ( $data['total'] ?? count( $items ) ) );
			return;
		}
		if ( 'ids' === $format ) {
			$items = array_column( $items, 'job_id' );
		}
		$formatter = new \WP_CLI\Formatter( $assoc_args, self::LIST_FIELDS );
		$formatter->display_items( $items );
	}

	/**
	 * Shows one job: every column, download and refund state.
	 *
	 * ## OPTIONS
	 *
	 * <job_id>
	 * : The job's UUID.
	 *
	 * [--fields=<fields>]
	 * : Limit the output to these fields.
	 *
	 * [--field=<field>]
	 * : Print only this field.
	 *
	 * [--format=<format>]
	 * : Render output in a particular format.
	 * ---
	 * default: table
	 * options:
	 *   - table
	 *   - csv
	 *   - json
	 *   - yaml
	 * ---
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp smi jobs get 0b6f3c9e-1d2a-4c5b-8e7f-123456789abc --field=status
	 *
	 * @since 1.1.0
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function get( $args, $assoc_args ): void {
		$data = $this->job( (string) ( $args[0] ?? '' ) );
		$job  = $data['job'];
		$item = $this->row( $job );
		foreach ( array( 'token_state', 'expires_at', 'count' ) as $key ) {
			$item[ 'download_' . $key ] = $this->scalar( $data['download'][ $key ] ?? null );
		}
		$item['refund_total']         = (int) ( $data['refunds']['total'] ?? 0 );
		$item['refund_remaining']     = (int) ( $data['refunds']['remaining'] ?? 0 );
		$item['allowed_status_moves'] = implode( ',', array_map( 'strval', (array) ( $data['allowed_status_moves'] ?? array() ) ) );
		$item['events']               = count( (array) ( $data['events'] ?? array() ) );
		$formatter                    = new \WP_CLI\Formatter( $assoc_args, array_keys( $item ) );
		$formatter->display_item( $item );
	}

	/**
	 * Queues jobs for upscaling again (uses Upsampler credits).
	 *
	 * ## OPTIONS
	 *
	 * <job_id>...
	 * : One or more job UUIDs.
	 *
	 * [--reason=<reason>]
	 * : Why; recorded on the job's timeline.
	 *
	 * [--force]
	 * : Even while an upscale is running.
	 *
	 * [--allow-unpaid]
	 * : Even for a refunded or unpaid job.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp smi jobs retry $(wp smi jobs list --status=failed --format=ids) --reason="provider outage"
	 *
	 * @since 1.1.0
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function retry( $args, $assoc_args ): void {
		$body   = array(
			'force'        => (bool) \WP_CLI\Utils\get_flag_value( $assoc_args, 'force', false ),
			'allow_unpaid' => (bool) \WP_CLI\Utils\get_flag_value( $assoc_args, 'allow-unpaid', false ),
		);
		$reason = trim( (string) ( $assoc_args['reason'] ?? '' ) );
		if ( '' !== $reason ) {
			$body['reason'] = $reason;
		}
		$failed = 0;
		foreach ( $args as $job_id ) {
			$job_id = strtolower( (string) $job_id );
			if ( ! SMI_Format::is_uuid( $job_id ) ) {
				WP_CLI::warning( sprintf( '%s is not a job ID.', $job_id ) );
				++$failed;
				continue;
			}
			$result = $this->client->post( '/v1/jobs/' . $job_id . '/retry', $body, array( 'timeout' => 30 ) );
			if ( is_wp_error( $result ) ) {
				WP_CLI::warning( sprintf( '%1$s: %2$s', $job_id, $result->get_error_message() ) );
				++$failed;
				continue;
			}
			WP_CLI::log( sprintf( '%1$s: queued (%2$s), about %3$d credits.', $job_id, (string) ( $result['status'] ?? '' ), (int) ( $result['credits_estimate'] ?? 0 ) ) );
		}
		$total = count( $args );
		if ( $failed ) {
			WP_CLI::error( sprintf( 'Retried %1$d of %2$d jobs.', $total - $failed, $total ) );
		}
		WP_CLI::success( sprintf( 'Retried %d jobs.', $total ) );
	}

	/**
	 * Refunds a job through Stripe, in full or in part.
	 *
	 * Asks for confirmation unless --yes is given.
	 *
	 * ## OPTIONS
	 *
	 * <job_id>
	 * : The job's UUID.
	 *
	 * --reason=<reason>
	 * : Why; recorded with the refund.
	 *
	 * [--amount=<amount>]
	 * : A decimal amount in the job's currency, such as 5.00. Default: all that is left.
	 *
	 * [--yes]
	 * : Do not ask for confirmation.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp smi jobs refund 0b6f3c9e-1d2a-4c5b-8e7f-123456789abc --reason="customer asked" --yes
	 *
	 * @since 1.1.0
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function refund( $args, $assoc_args ): void {
		$reason = trim( (string) ( $assoc_args['reason'] ?? '' ) );
		if ( '' === $reason ) {
			WP_CLI::error( 'A refund needs --reason.' );
		}
		$data      = $this->job( (string) ( $args[0] ?? '' ) );
		$job       = $data['job'];
		$job_id    = (string) $job['job_id'];
		$currency  = (string) ( $job['currency'] ?? 'usd' );
		$remaining = (int) ( $data['refunds']['remaining'] ?? 0 );
		$body      = array( 'reason' => $reason );
		$amount    = $remaining;
		if ( isset( $assoc_args['amount'] ) ) {
			$amount = SMI_Format::parse_money( (string) $assoc_args['amount'], $currency );
			if ( is_wp_error( $amount ) ) {
				WP_CLI::error( $amount->get_error_message() );
			}
			if ( $amount <= 0 ) {
				WP_CLI::error( 'The amount must be more than zero.' );
			}
			$body['amount'] = $amount;
		}
		WP_CLI::confirm(
			sprintf(
				'Refund %1$s of %2$s left to %3$s for job %4$s? This cannot be undone.',
				SMI_Format::money( $amount, $currency ),
				SMI_Format::money( $remaining, $currency ),
				(string) ( $job['email'] ?? '' ),
				$job_id
			),
			$assoc_args
		);
		$result = $this->client->post(
			'/v1/jobs/' . $job_id . '/refunds',
			$body,
			array(
				'timeout' => 45,
				'headers' => array( 'Idempotency-Key' => wp_generate_uuid4() ),
			)
		);
		if ( is_wp_error( $result ) ) {
			WP_CLI::error( $result->get_error_message() );
		}
		$refund = (array) ( $result['refund'] ?? array() );
		WP_CLI::success(
			sprintf(
				'Refund of %1$s sent to Stripe (%2$s). Still refundable: %3$s.',
				SMI_Format::money( $refund['amount'] ?? $amount, (string) ( $refund['currency'] ?? $currency ) ),
				(string) ( $refund['status'] ?? '' ),
				SMI_Format::money( $result['remaining'] ?? null, $currency )
			)
		);
	}

	/**
	 * Streams the jobs as CSV (the daemon's export: RFC 4180, formula cells neutralized).
	 *
	 * ## OPTIONS
	 *
	 * [--file=<path>]
	 * : Write to this file instead of standard output.
	 *
	 * [--status=<status>]
	 * : Comma-separated statuses.
	 *
	 * [--payment_status=<payment_status>]
	 * : Comma-separated payment statuses.
	 *
	 * [--email=<email>]
	 * : Customer email.
	 *
	 * [--post_id=<id>]
	 * : Post.
	 *
	 * [--attachment_id=<id>]
	 * : Attachment.
	 *
	 * [--created_from=<date>]
	 * : First day or RFC 3339 time.
	 *
	 * [--created_to=<date>]
	 * : Last day (included) or RFC 3339 time.
	 *
	 * [--search=<text>]
	 * : As for list.
	 *
	 * [--orderby=<column>]
	 * : As for list.
	 *
	 * [--order=<order>]
	 * : asc or desc.
	 *
	 * ## EXAMPLES
	 *
	 *     $ wp smi jobs export --status=completed --file=completed.csv
	 *
	 * @since 1.1.0
	 *
	 * @param array $args       Positional arguments.
	 * @param array $assoc_args Options.
	 */
	public function export( $args, $assoc_args ): void {
		$file = (string) ( $assoc_args['file'] ?? '' );
		$out  = '' === $file ? null : fopen( $file, 'wb' ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fopen
		if ( false === $out ) {
			WP_CLI::error( sprintf( 'Cannot write %s.', $file ) );
		}
		$status = 0;
		$error  = '';
		$bytes  = 0;
		$result = $this->client->stream(
			'GET',
			'/v1/jobs/export.csv',
			$this->filters( $assoc_args ),
			array( 'Accept' => 'text/csv' ),
			static function ( int $code ) use ( &$status ) {
				$status = $code;
			},
			static function ( string $chunk ) use ( &$status, &$error, &$bytes, $out ) {
				if ( 200 !== $status ) {
					$error .= substr( $chunk, 0, 65536 - strlen( $error ) );
					return true;
				}
				$bytes += strlen( $chunk );
				if ( null === $out ) {
					echo $chunk; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- CSV to a terminal or pipe.
					return true;
				}
				return false !== fwrite( $out, $chunk ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fwrite
			}
		);
		if ( null !== $out ) {
			fclose( $out ); // phpcs:ignore WordPress.WP.AlternativeFunctions.file_system_operations_fclose
		}
		if ( is_wp_error( $result ) ) {
			WP_CLI::error( $result->get_error_message() );
		}
		if ( 200 !== $status ) {
			$decoded = json_decode( $error, true );
			$message = is_array( $decoded ) && isset( $decoded['error']['message'] ) ? (string) $decoded['error']['message'] : '';
			WP_CLI::error( sprintf( 'The daemon answered HTTP %1$d%2$s', $status, '' !== $message ? ': ' . $message : '.' ) );
		}
		if ( null !== $out ) {
			WP_CLI::success( sprintf( 'Wrote %1$d bytes to %2$s.', $bytes, $file ) );
		}
	}

	/**
	 * The daemon's query from the options.
	 *
	 * @since 1.1.0
	 *
	 * @param array $assoc_args Options.
	 * @return array
	 */
	private function filters( array $assoc_args ): array {
		$query = array();
		foreach ( self::FILTERS as $key ) {
			if ( isset( $assoc_args[ $key ] ) && '' !== (string) $assoc_args[ $key ] ) {
				$query[ $key ] = (string) $assoc_args[ $key ];
			}
		}
		if ( isset( $assoc_args['search'] ) && '' !== (string) $assoc_args['search'] ) {
			$query['q'] = (string) $assoc_args['search'];
		}
		return $query;
	}

	/**
	 * One job's detail document, or an error exit.
	 *
	 * @since 1.1.0
	 *
	 * @param string $job_id Job UUID.
	 * @return array With a `job` array.
	 */
	private function job( string $job_id ): array {
		$job_id = strtolower( trim( $job_id ) );
		if ( ! SMI_Format::is_uuid( $job_id ) ) {
			WP_CLI::error( sprintf( '"%s" is not a job ID (a UUID such as 0b6f3c9e-1d2a-4c5b-8e7f-123456789abc).', $job_id ) );
		}
		$data = $this->client->get( '/v1/jobs/' . $job_id, array(), array( 'timeout' => 15 ) );
		if ( is_wp_error( $data ) ) {
			WP_CLI::error( $data->get_error_message() );
		}
		if ( ! isset( $data['job'] ) || ! is_array( $data['job'] ) ) {
			WP_CLI::error( 'The daemon answered without the job.' );
		}
		return $data;
	}

	/**
	 * A job as one output row: its scalar fields plus `amount` (formatted).
	 *
	 * @since 1.1.0
	 *
	 * @param array $job Daemon job.
	 * @return array
	 */
	private function row( array $job ): array {
		$row = array();
		foreach ( $job as $key => $value ) {
			$row[ (string) $key ] = $this->scalar( $value );
		}
		$row['amount'] = SMI_Format::money( $job['amount_charged'] ?? null, (string) ( $job['currency'] ?? 'usd' ) );
		return $row;
	}

	/**
	 * A value printable in a table cell (arrays as JSON, null as '').
	 *
	 * @since 1.1.0
	 *
	 * @param mixed $value Value.
	 * @return mixed
	 */
	private function scalar( $value ) {
		if ( null === $value ) {
			return '';
		}
		return is_scalar( $value ) ? $value : (string) wp_json_encode( $value );
	}
}
