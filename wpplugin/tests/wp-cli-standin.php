<?php
/**
 * A minimal stand-in for the part of WP-CLI's static API the plugin's
 * commands use, for tests only (WP-CLI itself is not installable here). It
 * mirrors WP-CLI's behaviour where the commands depend on it:
 *
 * - `WP_CLI::error()` stops the command (WP-CLI exits 1; here an
 *   ExitException with code 1 is thrown);
 * - `WP_CLI::confirm()` returns when `--yes` is set, else asks and stops
 *   (exit 0) unless the answer is "y"; answers come from `$answers`;
 * - `WP_CLI\Formatter` honours `--format` (table, csv, json, ids, count),
 *   `--fields` and `--field` as WP-CLI does; `table` prints tab-separated
 *   rows with a header line instead of WP-CLI's box drawing.
 *
 * Output goes through `echo`, so tests capture it with output buffering.
 *
 * @package SellMyImages
 */

// phpcs:disable WordPress, Generic.CodeAnalysis.UnusedFunctionParameter -- stands in for WP-CLI's classes, with WP-CLI's names and signatures.

namespace WP_CLI {

	/** What WP-CLI throws instead of exiting when it captures exits. */
	class ExitException extends \Exception {}

	/** Formats items for `--format`, `--fields`, `--field`. */
	class Formatter {

		/**
		 * The output arguments: format, fields, field.
		 *
		 * @var array
		 */
		private array $args;

		public function __construct( &$assoc_args, $fields = null, $prefix = false ) {
			$format_args = array(
				'format' => 'table',
				'fields' => $fields,
				'field'  => null,
			);
			foreach ( array( 'format', 'fields', 'field' ) as $key ) {
				if ( isset( $assoc_args[ $key ] ) ) {
					$format_args[ $key ] = $assoc_args[ $key ];
				}
			}
			if ( ! is_array( $format_args['fields'] ) ) {
				$format_args['fields'] = explode( ',', (string) $format_args['fields'] );
			}
			$format_args['fields'] = array_map( 'trim', $format_args['fields'] );
			$this->args            = $format_args;
		}

		public function __get( $key ) {
			return $this->args[ $key ] ?? null;
		}

		public function display_items( $items ): void {
			if ( $this->args['field'] ) {
				foreach ( $items as $item ) {
					$this->value( $item, $this->args['field'] );
				}
				return;
			}
			$fields = $this->args['fields'];
			switch ( $this->args['format'] ) {
				case 'count':
					echo count( $items ), "\n";
					return;
				case 'ids':
					echo implode( ' ', $items ), "\n";
					return;
				case 'json':
					echo json_encode( array_map( fn( $item ) => Utils\pick_fields( $item, $fields ), array_values( $items ) ) ), "\n";
					return;
				case 'csv':
					Utils\write_csv( $items, $fields );
					return;
				case 'table':
					echo implode( "\t", $fields ), "\n";
					foreach ( $items as $item ) {
						echo implode( "\t", array_map( 'strval', Utils\pick_fields( $item, $fields ) ) ), "\n";
					}
					return;
			}
			throw new \InvalidArgumentException( 'stand-in: unsupported format ' . $this->args['format'] );
		}

		public function display_item( $item ): void {
			if ( $this->args['field'] ) {
				$this->value( $item, $this->args['field'] );
				return;
			}
			$fields = $this->args['fields'];
			$picked = Utils\pick_fields( $item, $fields );
			switch ( $this->args['format'] ) {
				case 'json':
					echo json_encode( $picked ), "\n";
					return;
				case 'csv':
				case 'table':
					$rows = array();
					foreach ( $picked as $field => $value ) {
						$rows[] = array(
							'Field' => $field,
							'Value' => $value,
						);
					}
					if ( 'csv' === $this->args['format'] ) {
						Utils\write_csv( $rows, array( 'Field', 'Value' ) );
						return;
					}
					echo "Field\tValue\n";
					foreach ( $rows as $row ) {
						echo $row['Field'], "\t", $row['Value'], "\n";
					}
					return;
			}
			throw new \InvalidArgumentException( 'stand-in: unsupported format ' . $this->args['format'] );
		}

		private function value( $item, string $field ): void {
			$item = (array) $item;
			if ( ! array_key_exists( $field, $item ) ) {
				\WP_CLI::error( "Invalid field: $field." );
			}
			echo is_scalar( $item[ $field ] ) ? $item[ $field ] : json_encode( $item[ $field ] ), "\n";
		}
	}
}

namespace WP_CLI\Utils {

	function get_flag_value( $assoc_args, $flag, $default = null ) {
		return $assoc_args[ $flag ] ?? $default;
	}

	function pick_fields( $item, $fields ): array {
		$item = (array) $item;
		$out  = array();
		foreach ( $fields as $field ) {
			$out[ $field ] = $item[ $field ] ?? null;
		}
		return $out;
	}

	function write_csv( $rows, $headers ): void {
		$fh = fopen( 'php://memory', 'w+' );
		fputcsv( $fh, $headers );
		foreach ( $rows as $row ) {
			fputcsv( $fh, array_values( pick_fields( $row, $headers ) ) );
		}
		rewind( $fh );
		echo stream_get_contents( $fh );
		fclose( $fh );
	}
}

namespace {

	/** The static API. */
	class WP_CLI {

		/**
		 * Commands added: name => callable or class.
		 *
		 * @var array<string,mixed>
		 */
		public static array $commands = array();

		/**
		 * Answers to confirm(), in order.
		 *
		 * @var string[]
		 */
		public static array $answers = array();

		/**
		 * Questions confirm() asked.
		 *
		 * @var string[]
		 */
		public static array $asked = array();

		public static function reset(): void {
			self::$answers = array();
			self::$asked   = array();
		}

		public static function add_command( $name, $callable, $args = array() ): bool {
			self::$commands[ $name ] = $callable;
			return true;
		}

		public static function line( $message = '' ): void {
			echo $message, "\n";
		}

		public static function log( $message ): void {
			echo $message, "\n";
		}

		public static function success( $message ): void {
			echo 'Success: ', $message, "\n";
		}

		public static function warning( $message ): void {
			echo 'Warning: ', $message, "\n";
		}

		public static function error( $message, $exit = true ): void {
			echo 'Error: ', $message, "\n";
			if ( $exit ) {
				throw new WP_CLI\ExitException( (string) $message, 1 );
			}
		}

		public static function confirm( $question, $assoc_args = array() ): void {
			if ( ! empty( $assoc_args['yes'] ) ) {
				return;
			}
			self::$asked[] = $question;
			echo $question, ' [y/n] ';
			if ( 'y' !== strtolower( (string) array_shift( self::$answers ) ) ) {
				throw new WP_CLI\ExitException( 'declined', 0 );
			}
		}
	}
}
