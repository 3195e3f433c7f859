/**
 * The ComplianceIQ component library: presentational components that take
 * props and never fetch. State lives in the models (features/*, lib/*).
 *
 * @module
 */
export { Alert } from "./alert.tsx";
export { Badge } from "./badge.tsx";
export type { BadgeTone } from "./badge.tsx";
export { Button, buttonClass } from "./button.tsx";
export type { ButtonProps, ButtonVariant } from "./button.tsx";
export { Card } from "./card.tsx";
export type { CardProps } from "./card.tsx";
export { Chart } from "./chart.tsx";
export type { ChartProps, ChartSeries, ChartTone } from "./chart.tsx";
export { ConfirmDialog } from "./confirm_dialog.tsx";
export type { ConfirmDialogProps } from "./confirm_dialog.tsx";
export { Drawer } from "./drawer.tsx";
export type { DrawerProps } from "./drawer.tsx";
export { EmptyState } from "./empty_state.tsx";
export type { EmptyStateProps } from "./empty_state.tsx";
export { ErrorBoundary } from "./error_boundary.tsx";
export type { ErrorBoundaryProps } from "./error_boundary.tsx";
export { Icon } from "./icon.tsx";
export { Input, Textarea } from "./input.tsx";
export type { InputProps, TextareaProps } from "./input.tsx";
export { Layout, PageHeader } from "./layout.tsx";
export { Loader, Skeleton, Spinner } from "./loader.tsx";
export { Logo } from "./logo.tsx";
export { Menu } from "./menu.tsx";
export type { MenuItem, MenuProps } from "./menu.tsx";
export { Modal } from "./modal.tsx";
export type { ModalProps } from "./modal.tsx";
export { Navbar } from "./navbar.tsx";
export { ProgressBar } from "./progress_bar.tsx";
export type { ProgressBarProps } from "./progress_bar.tsx";
export { ScrollRegion, useHorizontalOverflow } from "./scroll_region.tsx";
export type { ScrollRegionProps } from "./scroll_region.tsx";
export { Select } from "./select.tsx";
export type { SelectOption, SelectProps } from "./select.tsx";
export { Sidebar } from "./sidebar.tsx";
export type { SidebarItem, SidebarSection } from "./sidebar.tsx";
export { sortRows, Table } from "./table.tsx";
export type { Column, SortState, TableProps } from "./table.tsx";
export { ToastRegion } from "./toast.tsx";
